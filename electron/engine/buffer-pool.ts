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
