import type { BufferPool } from './buffer-pool';
import { allocatesPageAligned, PAGE } from './direct-io';
import type { LiveSegment } from './live-segment';
import type { MemoryAccount } from './memory-budget';
import type { PartFileHandle } from './ports';

/**
 * A lent tail smaller than this is not worth a read of its own: what the socket has waiting comes through the
 * connection's own buffer instead and is copied.
 */
const SMALLEST_LOAN = 16 * 1024;

/**
 * Gathers one connection's bytes in pooled buffers and writes each full one at its offset. The bytes are read
 * straight into the current buffer's free tail when the socket can be lent it (`lend`), and copied there
 * synchronously out of the socket's own buffer otherwise: memory for the next buffer is reserved ahead, so
 * whatever one read brings (at most `maxRead` bytes) always fits; when it is not reserved yet `hasRoom` is
 * false and the reader pauses its socket until `whenRoom` calls back. Writes of one segment run one after
 * another, so `segment.written` only ever covers contiguous bytes; memory goes back once a buffer is on disk.
 */
export class SegmentSink {
  private current: Buffer | null = null;
  /** The buffer whose tail a socket may read into: it goes back to the pool only once given back. */
  private lent: Buffer | null = null;
  /** The lent buffer, written and waiting only for the socket to move on before it goes back to the pool. */
  private parked: Buffer | null = null;
  /**
   * Where the bytes begin in the current buffer: at the place within a page that they have within the file, so
   * that the buffer's whole pages are the file's whole pages and can be written past the page cache.
   */
  private start = 0;
  private length = 0;
  /**
   * The bytes after the last whole page of a buffer written early (to give its memory back, or at a checkpoint),
   * held for the next buffer: written with the buffer they continue, every buffer stays whole pages, one direct
   * write, instead of a direct write and two small ones through the page cache.
   */
  private carry: Buffer | null = null;
  private carried = 0;
  private offset = 0;
  /** A second buffer's memory is reserved: the next bytes fit even when the current buffer is nearly full. */
  private spare = false;
  private reserving: Promise<void> | null = null;
  private writes: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private finished = false;
  private readonly keepsPagePlace: boolean;

  constructor(
    private readonly file: PartFileHandle,
    private readonly segment: LiveSegment,
    private readonly pool: BufferPool,
    private readonly account: MemoryAccount,
    private readonly signal: AbortSignal,
    private readonly maxRead: number,
  ) {
    this.offset = segment.position;
    // A fresh buffer still takes any one read whole when it starts up to a page in.
    this.keepsPagePlace = allocatesPageAligned(pool.size) && pool.size - PAGE >= maxRead;
    this.reserveSpare();
  }

  /** Whether the next read fits without waiting. */
  get hasRoom(): boolean {
    return this.spare || (this.current !== null && this.current.length - this.fill >= this.maxRead);
  }

  /**
   * Calls back once the next read fits (or the wait failed: the caller then finds out from its signal). Waiting
   * while holding a half-filled buffer could starve every connection of the download, so that buffer goes to
   * the disk first and its memory comes back.
   */
  whenRoom(callback: () => void): void {
    if (this.hasRoom) {
      queueMicrotask(callback);
      return;
    }
    this.flush();
    (this.reserving ?? this.reserveSpare()).then(callback, callback);
  }

  /** Resolves when the next read fits. */
  room(): Promise<void> {
    return this.hasRoom ? Promise.resolve() : new Promise((resolve) => this.whenRoom(resolve));
  }

  /**
   * The current buffer's free tail, at most `maxBytes` of it, for a socket to read the next bytes into; `copy`
   * of bytes that landed there copies nothing. Null when no buffer is at hand, or too little of one is free.
   */
  lend(maxBytes: number): Buffer | null {
    // One loan at a time: a socket given up on may still read into the last one until it closes.
    if (this.failure || this.finished || this.lent !== null || maxBytes <= 0) return null;
    const current = this.current ?? (this.spare ? this.takeSpare() : null);
    if (current === null) return null;
    const n = Math.min(current.length - this.fill, maxBytes);
    if (n < maxBytes && n < SMALLEST_LOAN) return null;
    this.lent = current;
    return current.subarray(this.fill, this.fill + n);
  }

  /** The socket reads no more into what was lent. */
  giveBack(): void {
    const parked = this.parked;
    this.parked = null;
    this.lent = null;
    if (parked !== null) this.toPool(parked);
  }

  /** Takes in `source[start, end)`, which continues the segment at `segment.position`; never waits. */
  copy(source: Buffer, start: number, end: number): void {
    if (this.failure) throw this.failure;
    while (start < end) {
      let current = this.current;
      if (current === null) {
        if (!this.spare) throw new Error(`a read of ${end - start} bytes came before memory was kept for it`);
        current = this.takeSpare();
      }
      const fill = this.fill;
      const inPlace = source.buffer === current.buffer && source.byteOffset + start === current.byteOffset + fill;
      const n = inPlace ? Math.min(end - start, current.length - fill) : source.copy(current, fill, start, end);
      this.account.hold(n);
      this.length += n;
      start += n;
      if (fill + n === current.length) this.flush();
    }
  }

  /** Copies a chunk of any size (a got stream's), waiting for memory between reads' worth. */
  async push(chunk: Buffer): Promise<void> {
    for (let at = 0; at < chunk.length; at += this.maxRead) {
      await this.room();
      if (this.signal.aborted) throw this.signal.reason;
      this.copy(chunk, at, Math.min(chunk.length, at + this.maxRead));
    }
  }

  /**
   * Writes a half-filled buffer of a quiet connection, so it holds neither memory nor progress back; only when
   * the next read still fits without waiting.
   */
  flushIdle(): void {
    if (this.spare && this.current && this.length > 0) this.flush();
  }

  /** Writes what is buffered, waits for every write, gives back all memory; throws the first write error. */
  async finish(): Promise<void> {
    this.finished = true;
    this.flush();
    if (this.carried > 0) this.writeCarried();
    await this.writes;
    // A reservation still waiting gives its memory back itself once granted: no waiting for memory to end.
    if (this.spare) this.account.release(this.pool.size);
    this.spare = false;
    if (this.failure) throw this.failure;
  }

  private takeSpare(): Buffer {
    this.spare = false;
    const buffer = this.pool.get();
    this.current = buffer;
    this.start = this.keepsPagePlace ? this.offset % PAGE : 0;
    this.length = 0;
    if (this.carried > 0) {
      // The carried bytes end the page this buffer starts in: its first bytes are theirs.
      this.carry!.copy(buffer, this.start, 0, this.carried);
      this.length = this.carried;
      this.carried = 0;
    }
    this.reserveSpare();
    return buffer;
  }

  /**
   * A buffer goes back to the pool, and its memory to the account; one a socket may still read into waits for
   * `giveBack` first, still counted, so no other segment can have it or its memory.
   */
  private toPool(buffer: Buffer): void {
    if (buffer === this.lent) {
      this.parked = buffer;
      return;
    }
    this.pool.put(buffer);
    this.account.release(this.pool.size);
  }

  private reserveSpare(): Promise<void> {
    if (this.reserving) return this.reserving;
    if (this.finished) return Promise.resolve();
    if (this.account.reserveNow(this.pool.size)) {
      this.spare = true;
      return Promise.resolve();
    }
    const reserving = this.account.reserve(this.pool.size, this.signal).then(() => {
      if (this.reserving === reserving) this.reserving = null;
      if (this.finished) this.account.release(this.pool.size);
      else this.spare = true;
    });
    this.reserving = reserving;
    // A stop rejects the wait; whoever waits on it hears of the stop from its own signal.
    reserving.catch(() => {
      if (this.reserving === reserving) this.reserving = null;
    });
    return reserving;
  }

  /** Writes the carried bytes on their own: the segment ends with no buffer after them. */
  private writeCarried(): void {
    const length = this.carried;
    this.carried = 0;
    this.queueWrite(this.carry!, length, () => {});
  }

  /**
   * Writes `bytes[0, length)` at the segment's next offset after the writes before it; `done` runs once it is on
   * disk or failed. The first failure is kept and stops every later write.
   */
  private queueWrite(bytes: Buffer, length: number, done: () => void): void {
    const offset = this.offset;
    this.offset += length;
    this.writes = this.writes.then(async () => {
      try {
        if (!this.failure) {
          await this.file.write(bytes, length, offset);
          this.segment.written = offset + length;
        }
      } catch (error) {
        this.failure ??= error;
      } finally {
        this.account.drop(length);
        done();
      }
    });
  }

  /** Where in the current buffer the next byte goes. */
  private get fill(): number {
    return this.start + this.length;
  }

  private flush(): void {
    const buffer = this.current;
    if (!buffer) return;
    const bytes = this.start === 0 ? buffer : buffer.subarray(this.start);
    // A buffer ends on a page boundary when full; one written early carries its last part-page to the next.
    const tail = this.keepsPagePlace && !this.finished ? (this.offset + this.length) % PAGE : 0;
    const length = tail < this.length ? this.length - tail : this.length;
    if (length < this.length) {
      this.carry ??= Buffer.allocUnsafeSlow(PAGE);
      bytes.copy(this.carry, 0, length, this.length);
      this.carried = this.length - length;
    }
    this.current = null;
    this.length = 0;
    if (length === 0) this.toPool(buffer);
    else this.queueWrite(bytes, length, () => this.toPool(buffer));
  }
}
