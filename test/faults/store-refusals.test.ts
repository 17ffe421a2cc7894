import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { braid } from '../support/cli';
import { assertCompletedWith, makeRig, tempDir, waitFor, type Rig } from '../support/harness';
import { TestOrigin } from '../support/origin';

/**
 * A real state database that refuses some writes, as a damaged page or a constraint would: a trigger aborts the
 * status changes of the downloads whose URL has `refuse` in it.
 */
function refuseStatusChanges(dbPath: string, which: 'any' | 'start' | 'end' | 'failed'): void {
  const db = new Database(dbPath);
  try {
    const when = {
      any: 'NEW.status != OLD.status',
      start: `NEW.status = 'active'`,
      end: `OLD.status = 'active' AND NEW.status != 'active'`,
      failed: `NEW.status = 'failed'`,
    }[which];
    db.exec(`CREATE TRIGGER refuse_status BEFORE UPDATE OF status ON downloads
             WHEN NEW.url LIKE '%refuse%' AND ${when}
             BEGIN SELECT RAISE(ABORT, 'this row cannot be written'); END`);
  } finally {
    db.close();
  }
}

/** The store takes every write again (its disk freed). */
function allowStatusChanges(dbPath: string): void {
  const db = new Database(dbPath);
  try {
    db.exec('DROP TRIGGER IF EXISTS refuse_status');
  } finally {
    db.close();
  }
}

/**
 * Queues a download whose URL has `refuse` in it (the store refuses its `which` writes) and three behind it, starts
 * the whole queue, and waits up to 10 s for the three to end.
 */
async function runQueueBehindRefused(rig: Rig, url: string, which: 'any' | 'end') {
  const added = await rig.engine.add([`${url}?refuse`, ...[1, 2, 3].map((i) => `${url}?${i}`)].map((u) => ({ url: u })));
  const [refused, ...rest] = added.map((r) => (r.ok ? r.id : assert.fail(JSON.stringify(r))));
  refuseStatusChanges(rig.dbPath, which);
  rig.engine.start();
  const settled = await Promise.race([
    rig.engine.whenSettled(rest).then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref()),
  ]);
  return { refused: refused!, rest, settled };
}

describe('a state database that refuses some writes', () => {
  let origin: TestOrigin;
  let dir: string;
  before(async () => {
    origin = await new TestOrigin().start();
    dir = await tempDir('braid-refusals-');
  });
  after(async () => {
    await origin.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('passes over a download whose start cannot even be recorded, and runs the queue behind it', async () => {
    // The head of the queue is refused every write; the app's queue still runs the downloads after it.
    const source = origin.file('/behind.bin', 50_000);
    const rig = await makeRig({ dir: await tempDir(), overrides: { maxConcurrent: 1 } });
    try {
      const problems: (string | null)[] = [];
      rig.engine.onEvent((event) => {
        if (event.type === 'snapshot') problems.push(event.global.storeProblem);
      });
      const { refused, rest, settled } = await runQueueBehindRefused(rig, origin.url('/behind.bin'), 'any');
      assert.ok(settled, 'the downloads behind the refused one ended');
      for (const id of rest) await assertCompletedWith(rig.repo.get(id)!, source);
      assert.equal(rig.repo.get(refused)!.status, 'queued', 'the refused one waits, to be tried again');
      // The others' writes go through; the window still says why that one waits, all along, not on and off.
      await new Promise((r) => setTimeout(r, 600));
      assert.ok(problems.length > 2, `${problems.length} snapshots`);
      assert.deepEqual(problems.filter((p) => p === null), [], 'every snapshot since the refusal says why a download waits');
    } finally {
      await rig.cleanup();
    }
  });

  it('runs the queue on when how a download ended cannot be written', async () => {
    // The end is kept to be written later; it must not stop the downloads behind it from starting.
    const source = origin.file('/after.bin', 50_000);
    const rig = await makeRig({ dir: await tempDir(), overrides: { maxConcurrent: 1 } });
    try {
      const announced: string[] = [];
      rig.engine.onEvent((event) => {
        if (event.type === 'failed' || event.type === 'completed') announced.push(`${event.type} #${event.id}`);
      });
      const { refused, rest, settled } = await runQueueBehindRefused(rig, origin.url('/after.bin'), 'end');
      assert.ok(settled, 'the downloads behind it ended');
      assert.ok(!announced.includes(`failed #${refused}`), `a download that completed is not announced failed: ${announced.join(', ')}`);
      for (const id of rest) await assertCompletedWith(rig.repo.get(id)!, source);
      assert.equal(rig.engine.stats().running, 0);
      assert.equal(rig.repo.get(refused)!.status, 'active', 'its end waits to be written (the next start requeues it)');
    } finally {
      await rig.cleanup();
    }
  });

  it('runs a download whose failure the store refuses to write once more, not again and again', async () => {
    // Queued again once (the refusal may have been the store's own doing), it fails anew; that failure is kept
    // to be written, not queued again: no loop of requests and failure notices.
    const rig = await makeRig({ dir: await tempDir() });
    try {
      const [added] = await rig.engine.add([{ url: origin.url('/gone-refuse.bin') }]);
      const id = added!.ok ? added!.id : assert.fail(JSON.stringify(added));
      refuseStatusChanges(rig.dbPath, 'failed');
      let failures = 0;
      rig.engine.onEvent((event) => {
        if (event.type === 'failed') failures++;
      });
      rig.engine.start();
      await new Promise((r) => setTimeout(r, 2000));
      // The first failure, queued again, is no failure to announce (the app would notify "Download failed").
      assert.equal(failures, 1, `${failures} failure notices`);
      assert.ok(origin.requests('/gone-refuse.bin').length <= 4, `${origin.requests('/gone-refuse.bin').length} requests`);
      assert.equal(rig.engine.stats().running, 0);
      assert.equal(rig.repo.get(id)!.status, 'active', 'its failure waits to be written');
    } finally {
      await rig.cleanup();
    }
  });

  it('stops saying the store refuses once it takes writes again, while the refused download only waits for a slot', async () => {
    origin.file('/slow.bin', 4 * 1024 * 1024, { rate: 400_000 });
    const rig = await makeRig({ dir: await tempDir(), overrides: { maxConcurrent: 1, segments: 1 } });
    try {
      const added = await rig.engine.add([{ url: origin.url('/slow.bin?refuse') }, { url: origin.url('/slow.bin?next') }]);
      const [, next] = added.map((r) => (r.ok ? r.id : assert.fail(JSON.stringify(r))));
      refuseStatusChanges(rig.dbPath, 'any');
      let problem: string | null = null;
      rig.engine.onEvent((event) => {
        if (event.type === 'snapshot') problem = event.global.storeProblem;
      });
      rig.engine.start();
      await waitFor(() => problem !== null, 5000, 'the refusal said');
      allowStatusChanges(rig.dbPath);
      await waitFor(() => problem === null, 8000, 'the refusal no longer said');
      assert.equal(rig.repo.get(next!)!.status, 'active', 'the download holding the one slot still runs');
    } finally {
      await rig.cleanup();
    }
  });

  it('a get run announces a download whose completion it could not write once, as failed, even when the store takes it later', async () => {
    origin.file('/late.bin', 300_000);
    const rig = await makeRig({ dir: await tempDir() });
    try {
      const [added] = await rig.engine.add([{ url: origin.url('/late.bin?refuse') }]);
      const id = added!.ok ? added!.id : assert.fail(JSON.stringify(added));
      refuseStatusChanges(rig.dbPath, 'end');
      const announced: string[] = [];
      rig.engine.onEvent((event) => {
        if ((event.type === 'failed' || event.type === 'completed') && event.id === id) announced.push(event.type);
      });
      rig.engine.start({ only: [id] });
      await waitFor(() => announced.length > 0, 5000, 'its end announced');
      allowStatusChanges(rig.dbPath);
      // The next pump writes the completion; a second download of the run makes one.
      await rig.engine.add([{ url: origin.url('/late.bin?next') }]);
      await waitFor(() => rig.repo.get(id)!.status === 'completed', 5000, 'the completion written');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(announced, ['failed']);
    } finally {
      await rig.cleanup();
    }
  });

  it('get --json gives a line, with its error, to a download whose start failed and was recorded', async () => {
    origin.file('/listed.bin', 20_000);
    const db = join(dir, 'json.db');
    const out = join(dir, 'json-out');
    assert.equal((await braid(['add', '--paused', '-d', out, '--db', db, origin.url('/listed.bin?first')])).code, 0);
    refuseStatusChanges(db, 'start');
    const list = join(dir, 'json-list.txt');
    await writeFile(list, `${origin.url('/listed.bin?refuse')}\n${origin.url('/listed.bin?fine')}\n`);
    const run = await braid(['get', '--json', '-d', out, '--db', db, '-i', list]);
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const { summary } = lines.pop() as { summary: { completed: number; failed: number } };
    assert.deepEqual([summary.completed, summary.failed], [1, 1], run.stdout);
    const refused = lines.find((l) => String(l['url']).includes('refuse'));
    assert.ok(refused, `a line for the download that could not start: ${run.stdout}`);
    assert.equal(refused['status'], 'failed');
    assert.match((refused['error'] as { message: string }).message, /cannot be written/);
    assert.equal(lines.find((l) => String(l['url']).includes('fine'))?.['status'], 'completed', run.stdout);
  });

  it('get fails only the entry whose earlier download the store refuses to queue again, and runs the rest', async () => {
    origin.file('/fine.bin', 20_000);
    const db = join(dir, 'again.db');
    const out = join(dir, 'again-out');
    assert.equal((await braid(['get', '-d', out, '--db', db, origin.url('/gone.bin?refuse')])).code, 1, 'the first run fails: 404');
    refuseStatusChanges(db, 'any');
    const run = await braid(['get', '--json', '-d', out, '--db', db, origin.url('/gone.bin?refuse'), origin.url('/fine.bin')]);
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const { summary } = lines.pop() as { summary: { completed: number; failed: number } };
    assert.deepEqual([summary.completed, summary.failed], [1, 1], run.stdout);
    assert.deepEqual(lines.find((l) => l['entry'] === 'argument 1')?.['status'], 'failed', run.stdout);
    assert.equal(lines.find((l) => l['url'] === origin.url('/fine.bin'))?.['status'], 'completed', run.stdout);
    assert.match(run.stderr, /argument 1: .*this row cannot be written.*\[INTERNAL\]/);
  });
});
