import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { EngineEvent } from '../../shared/types';
import { MAX_CHANGED_IN_SNAPSHOT } from '../../electron/engine/event-hub';
import { assertCompletedWith, makeRig, waitFor } from '../support/harness';
import { TestOrigin } from '../support/origin';

const MIB = 1024 * 1024;

/** Captures what is written to stderr while `body` runs. */
async function capturingStderr<T>(body: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { value: await body(), stderr };
  } finally {
    process.stderr.write = write;
  }
}

describe('engine failures', () => {
  let origin: TestOrigin;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  before(async () => {
    origin = await new TestOrigin().start();
    process.on('unhandledRejection', onUnhandled);
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await origin.close();
  });

  it('records a download whose store writes throw as failed, frees its slot, and still closes cleanly', async () => {
    origin.file('/store-fault.bin', 2 * MIB);
    const next = origin.file('/after-fault.bin', MIB);
    const rig = await makeRig({ overrides: { maxConcurrent: 1, segments: 2 } });
    // A real SQLite that refuses every write of the retry log: the job's checkpoints and its own last write throw.
    const raw = new Database(rig.dbPath);
    raw.exec(`CREATE TRIGGER no_retry_log BEFORE UPDATE OF retry_log ON downloads BEGIN SELECT RAISE(ABORT, 'injected store fault'); END`);
    const events: EngineEvent[] = [];
    rig.engine.onEvent((e) => events.push(e));
    const [faulty] = await rig.engine.add([{ url: origin.url('/store-fault.bin') }]);
    const id = (faulty as { id: number }).id;
    rig.engine.start();
    await rig.engine.whenSettled([id]);
    const rec = rig.repo.get(id)!;
    assert.equal(rec.status, 'failed');
    assert.ok(rec.error, 'the failure is recorded with its reason');
    console.log(`# store fault recorded as ${rec.error!.code}: ${rec.error!.message}`);
    await waitFor(() => rig.engine.stats().running === 0, 5000, 'the slot to be freed');
    assert.ok(events.some((e) => e.type === 'failed' && e.id === id), 'a failed event');

    raw.exec('DROP TRIGGER no_retry_log');
    raw.close();
    const [after] = await rig.engine.add([{ url: origin.url('/after-fault.bin') }]);
    const afterId = (after as { id: number }).id;
    await rig.engine.whenSettled([afterId]);
    await assertCompletedWith(rig.repo.get(afterId)!, next, 'the freed slot runs the next download');

    await rig.engine.close();
    await waitFor(() => rig.engine.stats().sockets === 0, 2000, 'close() to close the connections');
    const seen = events.length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(events.length, seen, 'no tick after close()');
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
    await rig.cleanup();
  });

  it('names a failed download as its row does, never with the credentials or token of its URL', async () => {
    const rig = await makeRig();
    try {
      const events: EngineEvent[] = [];
      rig.engine.onEvent((e) => events.push(e));
      const url = origin.url('/named-missing.bin?token=SECRET').replace('http://', 'http://user:hunter2@');
      const [added] = await rig.engine.add([{ url }]);
      const id = (added as { id: number }).id;
      rig.engine.start();
      await rig.engine.whenSettled([id]);
      const failed = events.find((e) => e.type === 'failed' && e.id === id);
      assert.deepEqual(failed && 'name' in failed ? failed.name : undefined, 'named-missing.bin');
    } finally {
      await rig.cleanup();
    }
  });

  it('turns a job that rejects into an INTERNAL failure and frees its slot', async () => {
    origin.file('/reject.bin', MIB, { status: 404 });
    const rig = await makeRig({ overrides: { maxConcurrent: 1 } });
    // The job's own failure write (it sets the retry log) throws; the scheduler's record of the failure does not.
    const raw = new Database(rig.dbPath);
    raw.exec(`CREATE TRIGGER no_failed_write BEFORE UPDATE OF retry_log ON downloads WHEN NEW.status != 'active' BEGIN SELECT RAISE(ABORT, 'injected store fault'); END`);
    raw.close();
    const [added] = await rig.engine.add([{ url: origin.url('/reject.bin') }]);
    const id = (added as { id: number }).id;
    rig.engine.start();
    await rig.engine.whenSettled([id]);
    const rec = rig.repo.get(id)!;
    assert.equal(rec.status, 'failed');
    console.log(`# rejected job recorded as ${rec.error?.code}: ${rec.error?.message}`);
    assert.equal(rig.engine.stats().running, 0);
    await rig.engine.close();
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
    await rig.cleanup();
  });

  it('keeps sending events to the other listeners when one throws, and says so once', async () => {
    const data = origin.file('/listeners.bin', MIB);
    const rig = await makeRig();
    const seen: EngineEvent['type'][] = [];
    let thrown = 0;
    rig.engine.onEvent(() => {
      thrown++;
      throw new Error('a broken listener');
    });
    rig.engine.onEvent((e) => seen.push(e.type));
    const { stderr } = await capturingStderr(async () => {
      const [added] = await rig.engine.add([{ url: origin.url('/listeners.bin') }]);
      const id = (added as { id: number }).id;
      rig.engine.start();
      await rig.engine.whenSettled([id]);
      await new Promise((r) => setTimeout(r, 150));
      await assertCompletedWith(rig.repo.get(id)!, data);
      await rig.engine.close();
    });
    assert.ok(thrown > 1, 'the broken listener kept being called');
    assert.ok(seen.includes('snapshot') && seen.includes('completed'), seen.join(','));
    assert.equal(stderr.match(/event listener failed/g)?.length, 1, stderr);
    await rig.cleanup();
  });

  it('keeps a snapshot small after a large import: the changed rows up to a bound, then "page again"', async () => {
    const rig = await makeRig();
    rig.engine.start();
    const snapshots: Extract<EngineEvent, { type: 'snapshot' }>[] = [];
    rig.engine.onEvent((e) => {
      if (e.type === 'snapshot') snapshots.push(e);
    });
    const lines = Array.from({ length: 20_000 }, (_, i) => `http://127.0.0.1:9/import-${i}.bin`).join('\n');
    const report = await rig.engine.importList(lines, { paused: true });
    assert.equal(report.added, 20_000);
    const from = snapshots.length;
    await waitFor(() => snapshots.length > from, 5000, 'the next snapshot');
    const next = snapshots[from]!;
    const bytes = JSON.stringify(next).length;
    console.log(`# snapshot after importing 20,000: ${next.downloads.length} rows, ${bytes} bytes, listChanged ${next.listChanged}`);
    assert.ok(next.downloads.length <= MAX_CHANGED_IN_SNAPSHOT, `${next.downloads.length} rows`);
    assert.ok(bytes < 200_000, `${bytes} bytes`);
    assert.equal(next.listChanged, true, 'the faces are told to page again');
    assert.equal(next.global.counts.paused, 20_000, 'the counts are fresh');
    const page = await rig.engine.list({ offset: 19_990, limit: 100 });
    assert.equal(page.total, 20_000);
    assert.equal(page.items.length, 10);

    // A few changes travel as rows, without the flag.
    const upTo = snapshots.length;
    await rig.engine.resume([page.items[0]!.id]);
    await rig.engine.pause([page.items[0]!.id]);
    await waitFor(() => snapshots.length > upTo, 5000, 'a snapshot');
    const small = snapshots.slice(upTo).find((s) => s.downloads.some((d) => d.id === page.items[0]!.id));
    assert.ok(small && !small.listChanged, 'a small change carries its row');
    await rig.cleanup();
  });
});
