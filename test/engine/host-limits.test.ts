import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { connectionWaitText, statusText } from '../../shared/status-words';
import type { DownloadSnapshot, HostLimit } from '../../shared/types';
import { DEFAULT_TIMING } from '../../electron/engine/index';
import { CappedOrigin, type Refusal } from '../support/capped-origin';
import { assertCompletedWith, makeRig, runDownloads, waitFor, waitForReceived, type Rig } from '../support/harness';
import { TestOrigin } from '../support/origin';

const MIB = 1024 * 1024;
// The backoff a user gets (with attempts enough that Braid without learning finishes at all: with the default
// 6, extra connections that keep being refused fail the download), not the tests' short retries.
const REAL_RETRIES = { retry: { ...DEFAULT_TIMING.retry, maxAttempts: 20 } };

/** The learned limits the snapshots of a rig's downloads showed. */
function watchHostLimits(rig: Rig): HostLimit[] {
  const seen: HostLimit[] = [];
  rig.engine.onEvent((event) => {
    if (event.type !== 'snapshot') return;
    for (const d of event.downloads) if (d.hostLimit) seen.push(d.hostLimit);
  });
  return seen;
}

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const result = await run();
  return [result, Number(process.hrtime.bigint() - started) / 1e9];
}

describe('servers that limit connections', () => {
  const origins: CappedOrigin[] = [];
  after(async () => {
    for (const origin of origins) await origin.close();
  });
  async function origin(size: number, allowed: number, rate: number, refusal: Refusal): Promise<CappedOrigin> {
    const started = await new CappedOrigin(size, allowed, rate, refusal).start();
    origins.push(started);
    return started;
  }

  it('learns that a server allows 2 connections from its 503s, keeps it in the store, and the next download asks no more', async () => {
    const server = await origin(16 * MIB, 2, MIB, '503');

    const unlearned = await makeRig({ timing: { ...REAL_RETRIES, learnHostLimits: false }, overrides: { segments: 8 } });
    const [[plain], withoutSeconds] = await timed(() => runDownloads(unlearned, [{ url: server.url() }]));
    await assertCompletedWith(plain!, server.data);
    const refusedWithout = server.refused;
    await unlearned.cleanup();

    server.resetCounts();
    const rig = await makeRig({ timing: REAL_RETRIES, overrides: { segments: 8 } });
    const [[first], learningSeconds] = await timed(() => runDownloads(rig, [{ url: server.url() }]));
    await assertCompletedWith(first!, server.data);
    const refusedLearning = server.refused;
    assert.ok(refusedLearning > 0, 'the first download met the limit');
    assert.deepEqual(
      rig.repo.loadHostLimits().map(({ host, connections }) => ({ host, connections })),
      [{ host: server.host, connections: 2 }],
    );
    await rig.stop();

    // A restart on the same database: the limit is known before the first request.
    server.resetCounts();
    const again = await makeRig({ dir: rig.dir, timing: REAL_RETRIES, overrides: { segments: 8 } });
    const shown = watchHostLimits(again);
    const [[second], learnedSeconds] = await timed(() => runDownloads(again, [{ url: server.url() }]));
    await assertCompletedWith(second!, server.data);
    assert.equal(server.refused, 0, 'no request of the second download was refused');
    assert.ok(server.mostAtOnce <= 2);
    assert.deepEqual(shown.at(-1), { host: server.host, connections: 2 });
    await again.cleanup();

    console.log(
      `# 16 MiB from a server allowing 2 connections at 1 MiB/s each (8 asked for): ` +
        `without learning ${withoutSeconds.toFixed(1)} s (${refusedWithout} refused), ` +
        `learning ${learningSeconds.toFixed(1)} s (${refusedLearning} refused), ` +
        `limit already learned ${learnedSeconds.toFixed(1)} s (0 refused)`,
    );
  });

  it('takes a server that went away for a while for a server that was down, not for one that limits connections', async () => {
    const server = await origin(12 * MIB, 8, 512 * 1024, 'reset');
    const rig = await makeRig({ timing: REAL_RETRIES, overrides: { segments: 4 } });
    try {
      const [id] = await rig.engine.add([{ url: server.url() }]).then((r) => r.map((a) => (a as { id: number }).id));
      rig.engine.start();
      await waitForReceived(rig, id!, 2 * MIB, 20_000, 'the download under way');
      // Longer than the few seconds a peak of working connections counts as proof of what the server takes.
      await server.outage(6_000);
      await waitFor(() => rig.repo.get(id!)?.status === 'completed', 60_000, 'the download completed');
      await assertCompletedWith(rig.repo.get(id!)!, server.data);
      assert.deepEqual(rig.repo.loadHostLimits(), [], 'no limit learned from connections refused while nothing listened');
    } finally {
      await rig.cleanup();
    }
  });

  it('rides out a server gone for longer than its attempts last, once it has sent bytes', async () => {
    const server = await origin(8 * MIB, 8, 512 * 1024, 'reset');
    // Two attempts a connection, a fifth of a second apart: without the outage rule, gone in well under a second.
    const retry = { maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 400, maxRetryAfterMs: 5000 };
    for (const outageMs of [0, 20_000]) {
      const rig = await makeRig({ timing: { retry: { ...retry, outageMs } }, overrides: { segments: 4 } });
      try {
        const [id] = (await rig.engine.add([{ url: server.url() }])).map((a) => (a as { id: number }).id);
        rig.engine.start();
        await waitForReceived(rig, id!, MIB, 20_000, 'the download under way');
        await server.outage(3_000);
        await waitFor(() => ['completed', 'failed'].includes(rig.repo.get(id!)?.status ?? ''), 60_000, 'the download ended');
        const rec = rig.repo.get(id!)!;
        if (outageMs === 0) assert.equal(rec.status, 'failed', 'without the rule the attempts run out');
        else await assertCompletedWith(rec, server.data);
      } finally {
        await rig.cleanup();
      }
    }
  });

  it('learns the limit from connections reset before an answer, from 429 without Retry-After, and from the whole file sent for a range', async () => {
    for (const refusal of ['reset', '429', 'whole'] as const) {
      const server = await origin(4 * MIB, 2, 2 * MIB, refusal);
      // Short waits, as in every engine test, but attempts enough that a loaded machine answering the two allowed
      // connections late does not use them up before a byte has come.
      const rig = await makeRig({ timing: { retry: { maxAttempts: 12, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5000 } }, overrides: { segments: 8 } });
      try {
        const [rec] = await runDownloads(rig, [{ url: server.url() }]);
        await assertCompletedWith(rec!, server.data, refusal);
        assert.ok(server.refused > 0, refusal);
        assert.equal(rig.repo.loadHostLimits()[0]?.connections, 2, refusal);
      } finally {
        await rig.cleanup();
      }
    }
  });

  it('says a download waits for a connection while other downloads hold every one to its server, and no more once it receives', async () => {
    const origin = await new TestOrigin().start();
    let rig: Rig | null = null;
    try {
      const first = origin.file('/first.bin', 3 * MIB, { rate: MIB });
      const second = origin.file('/second.bin', MIB, { rate: MIB });
      rig = await makeRig({ overrides: { segments: 2, maxConnectionsPerServer: 2, maxConcurrent: 2 } });
      const seen = new Map<number, DownloadSnapshot[]>();
      rig.engine.onEvent((event) => {
        if (event.type === 'snapshot') for (const d of event.downloads) seen.set(d.id, [...(seen.get(d.id) ?? []), d]);
      });
      const [a] = await rig.engine.add([{ url: origin.url('/first.bin') }]);
      const aId = (a as { id: number }).id;
      rig.engine.start();
      await waitFor(() => (seen.get(aId) ?? []).some((d) => d.connections === 2), 10_000, 'the first download on both connections');
      const [b] = await rig.engine.add([{ url: origin.url('/second.bin') }]);
      const bId = (b as { id: number }).id;
      await rig.engine.whenSettled([aId, bId]);
      await assertCompletedWith(rig.repo.get(aId)!, first);
      await assertCompletedWith(rig.repo.get(bId)!, second);
      const waits = (seen.get(bId) ?? []).filter((d) => d.connectionWait);
      assert.ok(waits.length > 0, 'the second download said what it waited for');
      assert.deepEqual(waits[0]!.connectionWait, { host: new URL(origin.url('/')).host, scope: 'server', open: 2, allowed: 2 });
      assert.equal(statusText(waits[0]!), 'Waiting for a connection');
      assert.equal(connectionWaitText(waits[0]!.connectionWait!), `Waiting for a connection to ${new URL(origin.url('/')).host} (all 2 in use)`);
      assert.ok((seen.get(aId) ?? []).every((d) => !d.connectionWait), 'never said of the download that holds the connections');
      assert.ok((seen.get(bId) ?? []).some((d) => d.connections > 0 && !d.connectionWait), 'no longer said once it received');
    } finally {
      await rig?.cleanup();
      await origin.close();
    }
  });

  it('shares a server between downloads: one that holds every connection gives some back to one that waits', async () => {
    const origin = await new TestOrigin().start();
    let rig: Rig | null = null;
    try {
      const first = origin.file('/share/first.bin', 12 * MIB, { rate: 768 * 1024 });
      const second = origin.file('/share/second.bin', 4 * MIB, { rate: 768 * 1024 });
      rig = await makeRig({ overrides: { segments: 4, maxConnectionsPerServer: 4, maxConcurrent: 2 } });
      const seen = new Map<number, DownloadSnapshot[]>();
      rig.engine.onEvent((event) => {
        if (event.type === 'snapshot') for (const d of event.downloads) seen.set(d.id, [...(seen.get(d.id) ?? []), d]);
      });
      const [a] = await rig.engine.add([{ url: origin.url('/share/first.bin') }]);
      const aId = (a as { id: number }).id;
      rig.engine.start();
      await waitFor(() => (seen.get(aId) ?? []).some((d) => d.connections === 4), 10_000, 'the first download on all four connections');
      const [b] = await rig.engine.add([{ url: origin.url('/share/second.bin') }]);
      const bId = (b as { id: number }).id;
      // Both at two each while both run, rather than the second waiting for the first to end.
      await waitFor(() => {
        const lastA = seen.get(aId)?.at(-1);
        const lastB = seen.get(bId)?.at(-1);
        return lastA?.status === 'active' && lastA.connections === 2 && lastB?.connections === 2;
      }, 10_000, 'the server shared two and two');
      await rig.engine.whenSettled([aId, bId]);
      await assertCompletedWith(rig.repo.get(aId)!, first);
      await assertCompletedWith(rig.repo.get(bId)!, second);
      assert.ok((seen.get(aId) ?? []).every((d) => d.connections <= 4) && (seen.get(bId) ?? []).every((d) => d.connections <= 4));
    } finally {
      await rig?.cleanup();
      await origin.close();
    }
  });

  it('keeps to the per-server maximum of a download, of the settings, and to the global cap', async () => {
    const server = await origin(4 * MIB, 32, 4 * MIB, '503');
    const cases: { overrides: object; options?: object; most: number }[] = [
      { overrides: { segments: 8 }, options: { maxPerServer: 2 }, most: 2 },
      { overrides: { segments: 8, maxConnectionsPerServer: 3 }, most: 3 },
      { overrides: { segments: 8, maxConnections: 1 }, most: 1 },
    ];
    for (const { overrides, options, most } of cases) {
      server.resetCounts();
      const rig = await makeRig({ overrides });
      const [rec] = await runDownloads(rig, [{ url: server.url(), ...(options ? { options } : {}) }]);
      await assertCompletedWith(rec!, server.data);
      assert.equal(server.refused, 0);
      assert.ok(server.mostAtOnce <= most, `${server.mostAtOnce} at once, ${most} allowed: ${JSON.stringify({ overrides, options })}`);
      assert.ok(server.mostAtOnce >= 1);
      assert.deepEqual(rig.repo.loadHostLimits(), [], 'nothing was refused, nothing learned');
      await rig.cleanup();
    }
  });
});
