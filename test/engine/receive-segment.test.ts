// One connection's work on a segment, as the engine runs it: `fetchSegment` with a transfer context built from
// the engine's own parts (receive-path connection pool, buffer pool, memory account, token bucket, the file
// through the node file system, retry book on the system clock, stall watch), against a real server. The job
// around it (scheduler, checkpoints, work stealing's choice of victim) is left out, so each test can make
// one thing happen at a known moment and look at the segment, the file and the memory account directly.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BufferPool } from '../../electron/engine/buffer-pool';
import { fetchSegment, type TransferContext } from '../../electron/engine/connection';
import { HttpClient } from '../../electron/engine/http-client';
import { LiveSegment } from '../../electron/engine/live-segment';
import { MemoryBudget } from '../../electron/engine/memory-budget';
import { nodeFileSystem } from '../../electron/engine/part-file';
import { cutStalled } from '../../electron/engine/receive-watch';
import { ConnectionPool } from '../../electron/engine/receive/connection-pool';
import { RetryBook } from '../../electron/engine/retry-book';
import { DEFAULT_RETRY } from '../../electron/engine/retry-delay';
import { SourceList } from '../../electron/engine/source-list';
import { systemClock } from '../../electron/engine/system-clock';
import { TokenBucket } from '../../electron/engine/token-bucket';
import { RangeOrigin } from '../support/range-origin';

const READ_SIZE = 64 * 1024;

describe('a segment fetched over the receive path', () => {
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
    const url = origin.url(`/${name}`);
    const path = join(dir, name);
    const file = await nodeFileSystem.createExclusive(path);
    await file.truncate(size);
    const stallMs = options.stallMs ?? 20_000;
    const ctx: TransferContext = {
      http: new HttpClient({ connectMs: 5000, firstByteMs: 5000, idleSocketMs: 5000 }),
      file,
      pool: new BufferPool(256 * 1024, () => 16),
      account: new MemoryBudget(64 * 1024 * 1024).account(options.cap ?? 4 * 1024 * 1024),
      sources: new SourceList({ url, mirrors: [], sourceUrl: null, options: {} }),
      version: { validators: { etag: '"v1"', lastModified: null, size }, responseDate: null, ranged: true },
      seams: null,
      buckets: [new TokenBucket(options.rate ?? 0)],
      watches: new Set(),
      sinks: new Set(),
      retries: new RetryBook({ retries: 0, retryLog: [] }, { ...DEFAULT_RETRY, baseDelayMs: 10, maxDelayMs: 50 }, systemClock),
      clock: systemClock,
      firstByteTimeoutMs: 5000,
      receivePool: new ConnectionPool({ readBufferSize: READ_SIZE }),
      fastPath: { enabled: true },
      maxRead: READ_SIZE,
      links: { canRefresh: () => false, refresh: async () => undefined },
      downloadId: 1,
      onReceived: () => undefined,
    proxyFor: async () => null,
    };
    // The job's stall watch, on a short interval when a test wants a stall cut.
    const watchdog = systemClock.every(stallMs / 4, () => cutStalled(ctx.watches, systemClock.now(), stallMs, 0));
    const fetch = (segment: LiveSegment) => fetchSegment(ctx, segment, new AbortController().signal);
    const close = async () => {
      watchdog.cancel();
      ctx.receivePool!.close();
      ctx.http.close();
      await file.close();
    };
    return { data, ctx, url, path, fetch, close };
  }

  /** Every answer came through the receive path: none was handed to got. */
  function assertFastPath(ctx: TransferContext): void {
    assert.ok(ctx.fastPath.enabled, 'the receive path stayed on');
    assert.equal(ctx.http.socketCount(), 0, 'got opened no socket');
  }

  it('writes every byte at its offset within a small memory cap (the socket waits for memory)', async () => {
    const { data, ctx, path, fetch, close } = await setUp('capped.bin', 6 * 1024 * 1024, { cap: 768 * 1024 });
    try {
      const segments = [new LiveSegment(0, 3 * 1024 * 1024, 0), new LiveSegment(3 * 1024 * 1024, data.length, 0)];
      await Promise.all(segments.map(fetch));
      assert.ok(readFileSync(path).equals(data));
      assert.ok(ctx.account.peakInFlight <= 768 * 1024, `peak in flight ${ctx.account.peakInFlight}`);
      assert.equal(ctx.account.reserved, 0, 'all memory given back');
      assertFastPath(ctx);
    } finally {
      await close();
    }
  });

  it('keeps to a speed limit', async () => {
    const { data, ctx, path, fetch, close } = await setUp('limited.bin', 2 * 1024 * 1024, { rate: 4 * 1024 * 1024 });
    try {
      const started = performance.now();
      await fetch(new LiveSegment(0, data.length, 0));
      const seconds = (performance.now() - started) / 1000;
      // 2 MiB at 4 MiB/s with a 1 MiB burst: at least a quarter of a second.
      assert.ok(seconds >= 0.22, `took ${seconds.toFixed(2)} s`);
      assert.ok(readFileSync(path).equals(data));
      assertFastPath(ctx);
    } finally {
      await close();
    }
  });

  it('ends where the segment was split while receiving, leaving the bytes after it to the thief', async () => {
    const size = 4 * 1024 * 1024;
    const { data, ctx, path, fetch, close } = await setUp('stolen.bin', size, { serverRate: 8 * 1024 * 1024 });
    try {
      const victim = new LiveSegment(0, size, 0);
      const receiving = fetch(victim);
      await new Promise((r) => setTimeout(r, 100));
      const at = Math.max(victim.position + 300_000, size / 2);
      assert.ok(victim.position > 0, 'the split comes in the middle of the body');
      const thief = new LiveSegment(at, victim.end, 0);
      victim.end = at;
      await receiving;
      assert.equal(victim.position, at, 'not a byte past the new end');
      assert.equal(victim.written, at);
      const before = readFileSync(path);
      assert.ok(before.subarray(0, at).equals(data.subarray(0, at)));
      assert.ok(before.subarray(at).equals(Buffer.alloc(size - at)), 'the thief’s part is untouched');
      await fetch(thief);
      assert.ok(readFileSync(path).equals(data));
      assert.equal(ctx.account.reserved, 0);
      assertFastPath(ctx);
    } finally {
      await close();
    }
  });

  it('cuts a connection whose server went quiet (TIMEOUT) and resumes from what it brought', async () => {
    const size = 500_000;
    const { data, ctx, url, path, fetch, close } = await setUp('quiet.bin', size, { stallMs: 300, stallAfter: 200_000 });
    try {
      // Every answer stalls after 200,000 bytes: three requests, each one starting where the last was cut.
      await fetch(new LiveSegment(0, size, 0));
      assert.ok(readFileSync(path).equals(data));
      const asked = origin.requests.filter((r) => url.endsWith(r.path)).map((r) => r.range);
      assert.deepEqual(asked, ['bytes=0-499999', 'bytes=200000-499999', 'bytes=400000-499999']);
      assert.deepEqual(ctx.retries.log.map((e) => e.code), ['TIMEOUT', 'TIMEOUT']);
      assert.equal(ctx.account.reserved, 0);
      assertFastPath(ctx);
    } finally {
      await close();
    }
  });
});
