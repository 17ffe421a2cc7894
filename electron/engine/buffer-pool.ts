/** Fixed-size buffers handed out and taken back, so steady-state downloading allocates nothing. */
export class BufferPool {
  private free: Buffer[] = [];

  constructor(
    readonly size: number,
    private readonly maxIdle: number,
  ) {}

  get(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  put(buffer: Buffer): void {
    if (this.free.length < this.maxIdle) this.free.push(buffer);
  }

  /** Lets the idle buffers go: an engine with nothing to download should not sit on its whole budget. */
  release(): void {
    this.free = [];
  }
}
