import { PageAlignedSlabs } from './direct-io';

/** Fixed-size buffers handed out and taken back, so steady-state downloading allocates nothing. */
export class BufferPool {
  private free: Buffer[] = [];
  /** Buffers that exist, handed out or idle here: the memory the pool really holds. */
  private allocated = 0;

  private readonly slabs: PageAlignedSlabs;

  /**
   * @param maxIdle how many buffers may wait here, asked each time: a budget raised while the engine runs keeps
   * more, rather than throwing buffers away only to cut new ones.
   */
  constructor(
    readonly size: number,
    private readonly maxIdle: () => number,
    /** Told of every change in what the pool holds, in bytes (a buffer cut, or let go). */
    private readonly onHeld: (bytes: number) => void = () => undefined,
  ) {
    this.slabs = new PageAlignedSlabs(size);
  }

  get(): Buffer {
    const idle = this.free.pop();
    if (idle) return idle;
    this.allocated++;
    this.onHeld(this.size);
    return this.slabs.take() ?? Buffer.allocUnsafeSlow(this.size);
  }

  put(buffer: Buffer): void {
    if (this.free.length < this.maxIdle()) {
      this.free.push(buffer);
    } else {
      this.allocated--;
      this.onHeld(-this.size);
    }
  }

  /** Lets the idle buffers go: an engine with nothing to download should not sit on its whole budget. */
  release(): void {
    this.allocated -= this.free.length;
    this.onHeld(-this.free.length * this.size);
    this.free = [];
    this.slabs.startAfresh();
  }

  get idleBytes(): number {
    return this.free.length * this.size;
  }

  get allocatedBytes(): number {
    return this.allocated * this.size;
  }
}

const WRITE_BUFFER_SIZES = [1024 * 1024, 512 * 1024, 256 * 1024];

/**
 * The size of a download's write buffers: the largest of 1 MiB, 512 KiB and 256 KiB that lets each of its
 * connections hold one within its memory cap, and the budget sixteen. A write costs about the same whatever its
 * length (a system call, pinning its pages, a request to the disk, a thread hop and a callback back), and a lent
 * read can fill what is left of a buffer in one go, so larger buffers save CPU; but a connection without a buffer
 * waits, and a slow one holds its buffer until it fills, so every connection needs room for one.
 */
export function writeBufferSize(perDownloadMemory: number, memoryBudget: number, connections: number): number {
  const room = Math.min(perDownloadMemory / Math.max(1, connections), memoryBudget / 16);
  return WRITE_BUFFER_SIZES.find((size) => size <= room) ?? WRITE_BUFFER_SIZES[WRITE_BUFFER_SIZES.length - 1]!;
}

/**
 * A pool for each size of write buffer in use, with one account of what they hold together. Idle buffers of all
 * sizes together stay within the memory budget.
 */
export class BufferPools {
  private readonly bySize = new Map<number, BufferPool>();
  private held = 0;
  private peak = 0;

  /**
   * @param budget the memory budget, asked each time.
   * @param fixedSize one size for every download, whatever its memory (for tests).
   */
  constructor(
    private readonly budget: () => number,
    private readonly fixedSize?: number,
  ) {}

  /** The pool a download with this memory cap and this many connections takes its buffers from. */
  forDownload(perDownloadMemory: number, connections: number): BufferPool {
    return this.of(this.fixedSize ?? writeBufferSize(perDownloadMemory, this.budget(), connections));
  }

  private of(size: number): BufferPool {
    let pool = this.bySize.get(size);
    if (!pool) {
      const maxIdle = () => Math.floor((this.budget() - this.idleBytesBesides(size)) / size);
      pool = new BufferPool(size, maxIdle, (bytes) => {
        this.held += bytes;
        if (this.held > this.peak) this.peak = this.held;
      });
      this.bySize.set(size, pool);
    }
    return pool;
  }

  private idleBytesBesides(size: number): number {
    let idle = 0;
    for (const pool of this.bySize.values()) if (pool.size !== size) idle += pool.idleBytes;
    return idle;
  }

  /** Lets every idle buffer go (see `BufferPool.release`). */
  release(): void {
    for (const pool of this.bySize.values()) pool.release();
  }

  /** Buffers that exist, handed out or idle, of every size. */
  get allocatedBytes(): number {
    return this.held;
  }

  get peakBytes(): number {
    return this.peak;
  }
}
