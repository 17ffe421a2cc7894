import type { BufferPool } from './buffer-pool';
import type { LiveSegment } from './live-segment';
import type { MemoryAccount } from './memory-budget';
import type { PartFileHandle } from './ports';

/**
 * Coalesces one connection's small network chunks into full pooled buffers and writes each at its offset.
 * Writes of one segment run one after another, so `segment.written` only ever covers contiguous bytes.
 * Memory for a buffer is reserved before it is filled and released once it is on disk.
 */
export class SegmentSink {
  private buffer: Buffer | null = null;
  private length = 0;
  private offset = 0;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private failure: unknown = null;

  constructor(
    private readonly file: PartFileHandle,
    private readonly segment: LiveSegment,
    private readonly pool: BufferPool,
    private readonly account: MemoryAccount,
    private readonly signal: AbortSignal,
  ) {}

  /** Copies `chunk` (which starts at `segment.position`) into buffers; waits when memory is full. */
  async push(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    let read = 0;
    while (read < chunk.length) {
      if (!this.buffer) {
        // Waiting for memory while holding a half-filled buffer could starve everyone: write it first.
        if (this.pending >= 2) await this.chain;
        await this.account.reserve(this.pool.size, this.signal);
        this.buffer = this.pool.get();
        this.length = 0;
        this.offset = this.segment.position + read;
      }
      const n = chunk.copy(this.buffer, this.length, read);
      this.length += n;
      read += n;
      this.account.hold(n);
      if (this.length === this.buffer.length) this.flush();
    }
    if (this.failure) throw this.failure;
  }

  /** Starts writing the current buffer, full or not. */
  flush(): void {
    const buffer = this.buffer;
    if (!buffer) return;
    const length = this.length;
    const offset = this.offset;
    this.buffer = null;
    this.length = 0;
    if (length === 0) {
      this.pool.put(buffer);
      this.account.release(this.pool.size);
      return;
    }
    this.pending++;
    this.chain = this.chain.then(async () => {
      try {
        if (!this.failure) {
          await this.file.write(buffer, length, offset);
          this.segment.written = offset + length;
        }
      } catch (error) {
        this.failure ??= error;
      } finally {
        this.pending--;
        this.account.drop(length);
        this.account.release(this.pool.size);
        this.pool.put(buffer);
      }
    });
  }

  /** Writes what is buffered and waits until every write is done; throws the first write error. */
  async drain(): Promise<void> {
    this.flush();
    await this.chain;
    if (this.failure) throw this.failure;
  }
}
