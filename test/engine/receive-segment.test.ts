// How a segment's body loop sits on the receive path, with the engine's own parts: the response head checked
// before any byte is written, bytes copied synchronously into pooled buffers written at their offsets, the
// socket paused while memory or the speed limit says so, a segment end that shrinks under it (work stealing),
// and the stall watch. The loop here is an example for the engine's connection module, proven against a server.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BufferPool } from '../../electron/engine/buffer-pool';
import { checkRangeAnswer, parseContentRange } from '../../electron/engine/content-range';
import { BraidError, toBraidError } from '../../electron/engine/errors';
import { LiveSegment } from '../../electron/engine/live-segment';
import { MemoryBudget, type MemoryAccount } from '../../electron/engine/memory-budget';
import { ReceiveWatch } from '../../electron/engine/receive-watch';
import { ConnectionPool } from '../../electron/engine/receive/connection-pool';
import { openRange } from '../../electron/engine/receive/range-request';
import { TokenBucket } from '../../electron/engine/token-bucket';
import { RangeOrigin } from '../support/range-origin';

/**
 * Copies a segment's bytes into pooled buffers and writes each full one at its offset. Memory for the next
 * buffer is reserved ahead, so whatever one consumer call brings (one read at most) always fits; when it is
 * not reserved yet, `hasRoom` is false and the reader pauses until `whenRoom` calls back.
 */
class SegmentCopier {
  private current: Buffer | null = null;
  private length = 0;
  private offset = 0;
  private spare = false;
  private reserving: Promise<void> | null = null;
  private writes: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  constructor(
    private readonly file: FileHandle,
    private readonly segment: LiveSegment,
    private readonly pool: BufferPool,
    private readonly account: MemoryAccount,
    private readonly signal: AbortSignal,
    /** The most one call can bring: the connection's read buffer. */
    private readonly maxCall: number,
  ) {}

  /** Reserves the first buffer and the spare before any byte comes. */
  async start(position: number): Promise<void> {
    await this.account.reserve(this.pool.size, this.signal);
    this.current = this.pool.get();
    this.offset = position;
    await this.reserveSpare();
  }

  get hasRoom(): boolean {
    return this.spare || (this.current !== null && this.current.length - this.length >= this.maxCall);
  }

  whenRoom(callback: () => void): void {
    (this.reserving ?? Promise.resolve()).then(callback, callback);
  }

  copy(source: Buffer, start: number, end: number): void {
    if (this.failure) throw this.failure;
    while (start < end) {
      if (!this.current) {
        if (!this.spare) throw new Error('a call brought more than the room kept for it');
        this.spare = false;
        this.current = this.pool.get();
        this.length = 0;
        void this.reserveSpare();
      }
      const n = source.copy(this.current, this.length, start, end);
      this.account.hold(n);
      this.length += n;
      start += n;
      if (this.length === this.current.length) this.flush();
    }
  }

  /** Writes what is buffered, waits for every write, gives back the memory. */
  async finish(): Promise<void> {
    this.flush(true);
    await this.writes;
    await this.reserving?.catch(() => undefined);
    if (this.spare) this.account.release(this.pool.size);
    this.spare = false;
    if (this.failure) throw this.failure;
  }

  private reserveSpare(): Promise<void> {
    const reserving = this.account.reserve(this.pool.size, this.signal).then(() => {
      if (this.reserving === reserving) this.reserving = null;
      this.spare = true;
    });
    this.reserving = reserving;
    return reserving;
  }

  private flush(last = false): void {
    const buffer = this.current;
    if (!buffer) return;
    const length = this.length;
    const offset = this.offset;
    this.current = null;
    this.offset += length;
    this.length = 0;
    if (last && length === 0) {
      this.pool.put(buffer);
      this.account.release(this.pool.size);
      return;
    }
    this.writes = this.writes.then(async () => {
      try {
        if (!this.failure) await this.file.write(buffer, 0, length, offset);
        this.segment.written = offset + length;
      } catch (error) {
        this.failure ??= error;
      } finally {
        this.account.drop(length);
        this.account.release(this.pool.size);
        this.pool.put(buffer);
      }
    });
  }
}

interface SegmentContext {
  pool: ConnectionPool;
  buffers: BufferPool;
  account: MemoryAccount;
  bucket: TokenBucket;
  file: FileHandle;
  size: number;
  stallMs: number;
  readBufferSize: number;
}

/** One request for what is left of `segment`: the body loop the engine's connection module would run. */
async function receiveSegment(url: string, segment: LiveSegment, ctx: SegmentContext, signal: AbortSignal): Promise<void> {
  const connection = new AbortController();
  const abort = () => connection.abort(signal.reason);
  signal.addEventListener('abort', abort, { once: true });
  const first = segment.position;
  const last = segment.end - 1;
  const watchdog = { timer: null as NodeJS.Timeout | null };
  try {
    const response = await openRange(ctx.pool, { url, headers: { range: `bytes=${first}-${last}` }, firstByteTimeoutMs: 5000, signal: connection.signal });
    let copier: SegmentCopier | null = null;
    try {
      // The head is judged before a single body byte moves.
      const range = parseContentRange(response.head.headers['content-range']);
      const problem = response.head.statusCode === 206 ? checkRangeAnswer(range, { first, last }, ctx.size) : `status ${response.head.statusCode}`;
      if (problem) throw new BraidError('BAD_RESPONSE', problem, { retryable: true });
      const bodyEnd = range!.last + 1;
      const copy = (copier = new SegmentCopier(ctx.file, segment, ctx.buffers, ctx.account, connection.signal, ctx.readBufferSize));
      await copy.start(first);
      const watch = new ReceiveWatch(connection, performance.now());
      watchdog.timer = setInterval(() => {
        const why = watch.verdict(performance.now(), ctx.stallMs, 0);
        if (why) connection.abort(why);
      }, ctx.stallMs / 4);
      let waits = 0;
      const wait = () => {
        if (waits++ === 0) response.pause();
      };
      const done = () => {
        if (--waits === 0) {
          watch.ready(performance.now());
          response.resume();
        }
      };
      const end = await response.receive((buffer, start, stop) => {
        // A connection that ran out of work may have taken the back of this segment since the last call.
        const room = Math.min(segment.end, bodyEnd) - segment.position;
        if (stop - start > room) {
          response.setLimit(segment.position - first + Math.max(0, room));
          stop = start + Math.max(0, room);
        }
        if (stop <= start) return;
        const now = performance.now();
        watch.received(stop - start, now);
        copy.copy(buffer, start, stop);
        segment.received(stop - start);
        if (!copy.hasRoom) {
          wait();
          copy.whenRoom(done);
        }
        const pace = ctx.bucket.take(stop - start);
        if (pace > 0) {
          wait();
          setTimeout(done, pace);
        }
        if (waits === 0) watch.ready(now);
      }, bodyEnd - first);
      copier = null;
      await copy.finish();
      if (!end.complete && segment.position < Math.min(segment.end, bodyEnd)) {
        throw new BraidError('NETWORK_ERROR', 'the body ended early', { retryable: true });
      }
    } finally {
      response.stop();
      // On failure too, what arrived is written (it counts as received) and the memory goes back.
      await copier?.finish().catch(() => undefined);
    }
  } catch (error) {
    if (connection.signal.aborted) throw connection.signal.reason;
    throw error;
  } finally {
    if (watchdog.timer) clearInterval(watchdog.timer);
    signal.removeEventListener('abort', abort);
  }
}

describe('a segment body loop on the receive path', () => {
  let origin: RangeOrigin;
  let dir: string;
  before(async () => {
    origin = await new RangeOrigin().start();
    dir = mkdtempSync(join(tmpdir(), 'braid-segment-'));
  });
  after(async () => {
    await origin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function setUp(name: string, size: number, options: { cap?: number; rate?: number; stallMs?: number; serverRate?: number; stallAfter?: number } = {}) {
    const data = origin.file(`/${name}`, size, { rate: options.serverRate, stallAfter: options.stallAfter });
    const file = await open(join(dir, name), 'w+');
    await file.truncate(size);
    const readBufferSize = 64 * 1024;
    const ctx: SegmentContext = {
      pool: new ConnectionPool({ readBufferSize }),
      buffers: new BufferPool(256 * 1024, 16),
      account: new MemoryBudget(64 * 1024 * 1024).account(options.cap ?? 4 * 1024 * 1024),
      bucket: new TokenBucket(options.rate ?? 0),
      file,
      size,
      stallMs: options.stallMs ?? 20_000,
      readBufferSize,
    };
    const close = async () => {
      ctx.pool.close();
      await file.close();
    };
    return { data, ctx, url: origin.url(`/${name}`), path: join(dir, name), close };
  }

  it('writes every byte at its offset within a small memory cap (the socket waits for memory)', async () => {
    const { data, ctx, url, path, close } = await setUp('capped.bin', 6 * 1024 * 1024, { cap: 768 * 1024 });
    try {
      const segments = [new LiveSegment(0, 3 * 1024 * 1024, 0), new LiveSegment(3 * 1024 * 1024, data.length, 0)];
      await Promise.all(segments.map((s) => receiveSegment(url, s, ctx, new AbortController().signal)));
      assert.ok(readFileSync(path).equals(data));
      assert.ok(ctx.account.peakInFlight <= 768 * 1024, `peak in flight ${ctx.account.peakInFlight}`);
      assert.equal(ctx.account.reserved, 0, 'all memory given back');
    } finally {
      await close();
    }
  });

  it('keeps to a speed limit', async () => {
    const { data, ctx, url, path, close } = await setUp('limited.bin', 2 * 1024 * 1024, { rate: 4 * 1024 * 1024 });
    try {
      const started = performance.now();
      await receiveSegment(url, new LiveSegment(0, data.length, 0), ctx, new AbortController().signal);
      const seconds = (performance.now() - started) / 1000;
      // 2 MiB at 4 MiB/s with a 1 MiB burst: at least a quarter of a second.
      assert.ok(seconds >= 0.22, `took ${seconds.toFixed(2)} s`);
      assert.ok(readFileSync(path).equals(data));
    } finally {
      await close();
    }
  });

  it('ends where the segment was split while receiving, and the thief fetches the rest', async () => {
    const size = 4 * 1024 * 1024;
    const { data, ctx, url, path, close } = await setUp('stolen.bin', size, { serverRate: 8 * 1024 * 1024 });
    try {
      const victim = new LiveSegment(0, size, 0);
      const receiving = receiveSegment(url, victim, ctx, new AbortController().signal);
      await new Promise((r) => setTimeout(r, 100));
      const at = Math.max(victim.position + 300_000, size / 2);
      const thief = new LiveSegment(at, victim.end, 0);
      victim.end = at;
      await Promise.all([receiving, receiveSegment(url, thief, ctx, new AbortController().signal)]);
      assert.equal(victim.position, at, 'not a byte past the new end');
      assert.ok(readFileSync(path).equals(data));
    } finally {
      await close();
    }
  });

  it('cuts a connection whose server went quiet (TIMEOUT), keeping what it brought', async () => {
    const { ctx, url, close } = await setUp('quiet.bin', 1024 * 1024, { stallMs: 300, stallAfter: 200_000 });
    try {
      const segment = new LiveSegment(0, 1024 * 1024, 0);
      const error = await receiveSegment(url, segment, ctx, new AbortController().signal).catch((e: unknown) => e);
      assert.equal(toBraidError(error).code, 'TIMEOUT');
      assert.equal(segment.position, 200_000);
      assert.equal(ctx.account.reserved, 0);
    } finally {
      await close();
    }
  });
});
