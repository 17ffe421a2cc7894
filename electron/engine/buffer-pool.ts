import { PageAlignedSlabs } from './direct-io';

/** Fixed-size buffers handed out and taken back, so steady-state downloading allocates nothing. */
export class BufferPool {
  private free: Buffer[] = [];
  /** Buffers that exist, handed out or idle here: the memory the pool really holds. */
  private allocated = 0;
  private peak = 0;

  private readonly slabs: PageAlignedSlabs;

  /**
   * @param maxIdle how many buffers may wait here, asked each time: a budget raised while the engine runs keeps
   * more, rather than throwing buffers away only to cut new ones.
   */
  constructor(
    readonly size: number,
    private readonly maxIdle: () => number,
  ) {
    this.slabs = new PageAlignedSlabs(size);
  }

  get(): Buffer {
    const idle = this.free.pop();
    if (idle) return idle;
    this.allocated++;
    if (this.allocated > this.peak) this.peak = this.allocated;
    return this.slabs.take() ?? Buffer.allocUnsafeSlow(this.size);
  }

  put(buffer: Buffer): void {
    if (this.free.length < this.maxIdle()) this.free.push(buffer);
    else this.allocated--;
  }

  /** Lets the idle buffers go: an engine with nothing to download should not sit on its whole budget. */
  release(): void {
    this.allocated -= this.free.length;
    this.free = [];
    this.slabs.startAfresh();
  }

  get allocatedBytes(): number {
    return this.allocated * this.size;
  }

  get peakBytes(): number {
    return this.peak * this.size;
  }
}

const SMALLEST_WRITE_BUFFER = 256 * 1024;
const LARGEST_WRITE_BUFFER = 1024 * 1024;

/**
 * The size of write buffers for these memory settings: as large as lets each download hold four (and the budget
 * sixteen), between 256 KiB and 1 MiB. A write costs about the same whatever its length (a system call, pinning
 * its pages, a request to the disk, a thread hop and a callback back), and a lent read can fill what is left of a
 * buffer in one go, so 1 MiB buffers take a quarter of the CPU off a fast download that 256 KiB ones cost; but a
 * download with fewer buffers than connections leaves sockets waiting, so a small cap gets smaller buffers.
 */
export function writeBufferSize(perDownloadMemory: number, memoryBudget: number): number {
  const room = Math.min(perDownloadMemory / 4, memoryBudget / 16);
  let size = LARGEST_WRITE_BUFFER;
  while (size > SMALLEST_WRITE_BUFFER && size > room) size /= 2;
  return size;
}

/**
 * Write buffers of the size the settings call for now. A download draws on the pool that was current when it
 * started; a pool of a size no longer called for keeps no idle buffers, and is forgotten once all of its have
 * come back.
 */
export class BufferPools {
  private current: BufferPool | null = null;
  private readonly retired = new Set<BufferPool>();

  /** @param idleBytes how much may wait idle in the current pool, asked each time (the memory budget). */
  constructor(
    private readonly size: () => number,
    private readonly idleBytes: () => number,
  ) {}

  /** The pool a download starting now takes its buffers from. */
  forNextDownload(): BufferPool {
    const size = this.size();
    if (this.current && this.current.size === size) return this.current;
    if (this.current) this.retire(this.current);
    const pool: BufferPool = new BufferPool(size, () => (pool === this.current ? Math.ceil(this.idleBytes() / size) : 0));
    this.current = pool;
    return pool;
  }

  private retire(pool: BufferPool): void {
    pool.release();
    if (pool.allocatedBytes > 0) this.retired.add(pool);
  }

  /** Lets every idle buffer go (see `BufferPool.release`). */
  release(): void {
    this.current?.release();
    for (const pool of this.retired) {
      pool.release();
      if (pool.allocatedBytes === 0) this.retired.delete(pool);
    }
  }

  private get all(): BufferPool[] {
    return this.current ? [this.current, ...this.retired] : [...this.retired];
  }

  get allocatedBytes(): number {
    return this.all.reduce((sum, pool) => sum + pool.allocatedBytes, 0);
  }

  /** The pools' peaks added up: at least the peak they held together. */
  get peakBytes(): number {
    return this.all.reduce((sum, pool) => sum + pool.peakBytes, 0);
  }
}
