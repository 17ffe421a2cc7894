/**
 * Bytes copied aside from a read buffer that is about to be reused, taken out again from the front. The buffer
 * grows when it must and is kept, so a connection that stashes now and then allocates once.
 */
export class ByteStash {
  private buffer: Buffer | null = null;
  /** The held bytes are `bytes[start, end)`. */
  start = 0;
  end = 0;

  constructor(private readonly initialSize: number) {}

  get length(): number {
    return this.end - this.start;
  }

  /** Valid until the next `append`. */
  get bytes(): Buffer {
    return this.buffer ?? Buffer.alloc(0);
  }

  append(source: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    if (!this.buffer || this.buffer.length < this.end + n) {
      const needed = this.length + n;
      const target = this.buffer && this.buffer.length >= needed ? this.buffer : Buffer.allocUnsafeSlow(Math.max(needed, this.initialSize, (this.buffer?.length ?? 0) * 2));
      this.buffer?.copy(target, 0, this.start, this.end);
      this.buffer = target;
      this.end = this.length;
      this.start = 0;
    }
    source.copy(this.buffer, this.end, start, end);
    this.end += n;
  }

  /** Drops `n` bytes from the front. */
  consume(n: number): void {
    this.start += n;
    if (this.start >= this.end) this.clear();
  }

  clear(): void {
    this.start = 0;
    this.end = 0;
  }
}
