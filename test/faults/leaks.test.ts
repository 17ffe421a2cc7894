import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { makeRig, waitFor, type Rig } from '../support/harness';
import { TestOrigin } from '../support/origin';

const KIB = 1024;
const MIB = 1024 * KIB;
const SMALL = 1000;
const LARGE = 8;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Usage {
  fds: number;
  sockets: number;
  timers: number;
  handles: string;
  heapMiB: number;
  externalMiB: number;
}

/** What the process holds now; after a full collection unless `collect` is false (for cheap polling). */
function usage(collect = true): Usage {
  if (collect) {
    gc();
    gc();
  }
  const fds = readdirSync('/proc/self/fd');
  let sockets = 0;
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) sockets++;
    } catch {
      // the fd of the directory listing itself is gone by now
    }
  }
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  const m = process.memoryUsage();
  return {
    fds: fds.length,
    sockets,
    timers: counts.get('Timeout') ?? 0,
    handles: [...counts].sort().map(([k, n]) => `${k}=${n}`).join(' '),
    heapMiB: m.heapUsed / MIB,
    externalMiB: (m.external + m.arrayBuffers) / MIB,
  };
}

interface Round {
  urls: string[];
  large: number;
}

/** Files for one round: large ones first, then small ones, some 404 and some cut once mid-body. */
function serveRound(origin: TestOrigin, tag: string, small: number, large: number): Round {
  const urls: string[] = [];
  for (let i = 0; i < large; i++) {
    origin.file(`/${tag}/large-${i}.bin`, 8 * MIB, { rate: 2 * MIB });
    urls.push(origin.url(`/${tag}/large-${i}.bin`));
  }
  for (let i = 0; i < small; i++) {
    const path = `/${tag}/small-${i}.bin`;
    if (i % 10 === 3) origin.file(path, 16 * KIB, { status: 404 });
    else if (i % 25 === 7) origin.file(path, 16 * KIB, { dropAfter: 4 * KIB, dropTimes: 1 });
    else origin.file(path, 16 * KIB);
    urls.push(origin.url(path));
  }
  return { urls, large };
}

/** Waits (up to 5 s) for closes and file operations under way to finish, so a snapshot is not caught mid-way. */
async function quiet(): Promise<void> {
  await waitFor(() => !/CloseReq|FSReqCallback|ShutdownWrap|WriteWrap/.test(usage(false).handles), 5000, 'pending closes').catch(() => undefined);
}

/**
 * A mixed round in one engine: everything added at once, large files paused and resumed, large and queued
 * files removed. Resolves when everything left has settled.
 */
async function round(rig: Rig, { urls, large }: Round): Promise<Record<string, number>> {
  const added = await rig.engine.add(urls.map((url) => ({ url })));
  const ids = added.map((r) => (r.ok ? r.id : assert.fail(r.error.message)));
  const largeIds = ids.slice(0, large);
  const smallIds = ids.slice(large);
  rig.engine.start();
  await waitFor(() => largeIds.every((id) => (rig.repo.get(id)?.bytesDone ?? 0) > 0 || rig.repo.get(id)?.status !== 'active'), 20_000, 'large downloads under way');

  const paused = largeIds.filter((_, i) => i % 4 === 1);
  const cancelled = [...largeIds.filter((_, i) => i % 4 === 2), ...smallIds.slice(-5)];
  await rig.engine.pause([...paused, ...smallIds.slice(-10, -5)]);
  await rig.engine.remove(cancelled, { deleteFile: true });
  await new Promise((r) => setTimeout(r, 300));
  await rig.engine.resume([...paused, ...smallIds.slice(-10, -5)]);

  const kept = ids.filter((id) => !cancelled.includes(id));
  await rig.engine.whenSettled(kept);
  const outcome: Record<string, number> = { cancelled: cancelled.length };
  for (const id of kept) {
    const status = rig.repo.get(id)!.status;
    outcome[status] = (outcome[status] ?? 0) + 1;
  }
  return outcome;
}

describe('leaks', { skip: process.platform === 'linux' ? false : 'counts descriptors through /proc' }, () => {
  it(`${SMALL} small and ${LARGE} large downloads with pauses, cancels and failures leave fds, sockets, timers and heap where they were`, async () => {
    const origin = await new TestOrigin().start();
    const rig = await makeRig({ overrides: { maxConcurrent: 8, segments: 4 }, timing: { idleSocketMs: 1000 } });
    const settleSockets = async (level: number) => {
      // Kept-alive connections close after a second idle; both their ends must be gone.
      await waitFor(() => usage(false).sockets <= level, 15_000, 'idle connections to close').catch(() => undefined);
    };
    try {
      // A warm-up round first, so code compiled and pools filled once do not count as growth.
      // The served files are made up front: the origin's bytes are the test's, not the engine's.
      const warmUp = serveRound(origin, 'warm', 40, 4);
      const run = serveRound(origin, 'run', SMALL, LARGE);
      const warm = await round(rig, warmUp);
      origin.log.length = 0;
      const idleSockets = usage(false).sockets;
      await settleSockets(2); // the origin's listening socket, and none of the engine's
      await quiet();
      const before = usage();

      // The engine's own connections, sampled through the run: bounded by the pool, all closed once idle.
      let peakPool = 0;
      const sampler = setInterval(() => (peakPool = Math.max(peakPool, rig.engine.stats().sockets)), 20);
      const outcome = await round(rig, run);
      clearInterval(sampler);
      origin.log.length = 0;
      await settleSockets(before.sockets);
      await waitFor(() => rig.engine.stats().sockets === 0, 15_000, 'the pool to close its idle connections').catch(() => undefined);
      const poolAfter = rig.engine.stats().sockets;
      await quiet();
      const after = usage();

      const rows = (['fds', 'sockets', 'timers', 'heapMiB', 'externalMiB'] as const).map(
        (k) => `# ${k.padEnd(12)} before ${before[k].toFixed(k.endsWith('MiB') ? 1 : 0).padStart(7)}  after ${after[k].toFixed(k.endsWith('MiB') ? 1 : 0).padStart(7)}`,
      );
      console.log(`# warm-up ${JSON.stringify(warm)} (${idleSockets} sockets right after it); run ${JSON.stringify(outcome)}\n${rows.join('\n')}\n# handles before: ${before.handles}\n# handles after:  ${after.handles}`);

      console.log(`# engine connections: peak ${peakPool} during the run (8 downloads × 4 connections, one origin), ${poolAfter} once idle`);
      assert.ok(peakPool > 0 && peakPool <= 8 * 4 + 8, `peak ${peakPool} connections`);
      assert.equal(poolAfter, 0, 'the pool keeps no connection past its idle time');
      // Paused and cancelled downloads leave sockets that may still read into a lent buffer until they close.
      assert.equal(rig.engine.stats().reservedMemory, 0, 'every write buffer came back, lent ones included');
      assert.equal(outcome['completed'], SMALL - SMALL / 10 - 5 + LARGE - LARGE / 4, JSON.stringify(outcome));
      assert.equal(outcome['failed'], SMALL / 10);
      assert.equal(after.fds, before.fds, 'open file descriptors');
      assert.equal(after.sockets, before.sockets, 'sockets');
      assert.equal(after.timers, before.timers, 'timers');
      assert.equal(after.handles, before.handles, 'active handles by kind');
      assert.ok(after.heapMiB - before.heapMiB < 4, `heap grew ${(after.heapMiB - before.heapMiB).toFixed(1)} MiB`);
      assert.ok(after.externalMiB - before.externalMiB < 16, `buffers grew ${(after.externalMiB - before.externalMiB).toFixed(1)} MiB`);
    } finally {
      await rig.cleanup();
      await origin.close();
    }
  });

  it('quitting mid-transfer gives back every descriptor, socket and timer the engine took', async () => {
    const origin = await new TestOrigin().start();
    const urls = Array.from({ length: 4 }, (_, i) => {
      origin.file(`/quit-${i}.bin`, 16 * MIB, { rate: 2 * MIB });
      return origin.url(`/quit-${i}.bin`);
    });
    try {
      await quiet();
      const before = usage();
      const rig = await makeRig({ overrides: { maxConcurrent: 4, segments: 4 } });
      const added = await rig.engine.add(urls.map((url) => ({ url })));
      const ids = added.map((r) => (r.ok ? r.id : assert.fail(r.error.message)));
      rig.engine.start();
      await waitFor(() => ids.every((id) => (rig.repo.get(id)?.bytesDone ?? 0) > 0), 20_000, 'every download under way');
      const during = usage();
      await rig.stop(); // what quitting the app or Ctrl+C does: checkpoint, close the engine and the store
      await waitFor(
        () => {
          const now = usage(false);
          return now.sockets <= before.sockets && now.handles === before.handles;
        },
        10_000,
        'connections to close',
      ).catch(() => undefined);
      const after = usage();
      console.log(`# quit mid-transfer: fds ${before.fds} → ${during.fds} running → ${after.fds}; sockets ${before.sockets} → ${during.sockets} → ${after.sockets}; timers ${before.timers} → ${during.timers} → ${after.timers}`);
      assert.ok(during.sockets > before.sockets, 'the downloads had connections open');
      assert.equal(after.fds, before.fds, 'open file descriptors');
      assert.equal(after.sockets, before.sockets, 'sockets');
      assert.equal(after.timers, before.timers, 'timers');
      assert.equal(after.handles, before.handles, 'active handles by kind');
      await rm(rig.dir, { recursive: true, force: true });
    } finally {
      await origin.close();
    }
  });
});
