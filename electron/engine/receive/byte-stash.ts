/**
 * Bytes copied aside from a read buffer that is about to be reused. The buffer grows when it must and is kept,
 * so a connection that stashes now and then allocates once.
 */
export class ByteStash {
  private buffer: Buffer | null = null;
  /** Bytes held, at the start of `bytes`. */
  length = 0;

  constructor(private readonly initialSize: number) {}

  /** The held bytes are `bytes[0, length)`; valid until the next `append`. */
  get bytes(): Buffer {
    return this.buffer ?? Buffer.alloc(0);
  }

  append(source: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    const needed = this.length + n;
    if (!this.buffer || this.buffer.length < needed) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.initialSize, (this.buffer?.length ?? 0) * 2));
      this.buffer?.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    source.copy(this.buffer, this.length, start, end);
    this.length = needed;
  }

  clear(): void {
    this.length = 0;
  }
}
