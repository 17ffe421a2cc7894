import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statfsSync } from 'node:fs';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { braid } from '../support/cli';
import { makeRig, runDownloads, tempDir, type Rig } from '../support/harness';
import { sha256, TestOrigin } from '../support/origin';

const MIB = 1024 * 1024;

function mountTmpfs(path: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Every byte the store claims is on disk matches the source. */
async function assertCommittedBytesMatch(rig: Rig, id: number, source: Buffer): Promise<number> {
  const rec = rig.repo.get(id)!;
  const handle = await open(join(rec.folder, `${rec.name}.part`), 'r');
  let claimed = 0;
  try {
    for (const s of rig.repo.segments(id)) {
      if (s.done === 0) continue;
      const buf = Buffer.alloc(s.done);
      await handle.read(buf, 0, s.done, s.start);
      assert.ok(buf.equals(source.subarray(s.start, s.start + s.done)), `segment at ${s.start} holds what the store claims`);
      claimed += s.done;
    }
  } finally {
    await handle.close();
  }
  return claimed;
}

/** Fills the file system at `dir` to its last byte (what does not fit is dropped); the fill's path. */
async function fillDisk(dir: string, leave = 0): Promise<string> {
  const fill = join(dir, 'fill');
  const { bavail, bsize } = statfsSync(dir);
  await writeFile(fill, Buffer.alloc(Math.max(0, bavail * bsize - leave))).catch(() => undefined);
  return fill;
}

/** An engine whose database is alone on a 1.2 MB tmpfs (its files go elsewhere), with downloads of `url` queued. */
async function rigOnSmallDisk(stateDir: string, url: string, count: number, options: Parameters<typeof makeRig>[0] = {}) {
  await mkdir(stateDir);
  assert.ok(mountTmpfs(stateDir, '1200k'), 'mount a small tmpfs for the database');
  const out = await tempDir('braid-small-disk-out-');
  const rig = await makeRig({ ...options, dir: stateDir, overrides: { folder: out, ...options.overrides } });
  const added = await rig.engine.add(Array.from({ length: count }, (_, i) => ({ url: `${url}?${i}` })));
  const ids = added.map((r) => (r.ok ? r.id : assert.fail(JSON.stringify(r))));
  const release = async () => {
    await rig.stop();
    execFileSync('umount', [stateDir]);
    await rm(out, { recursive: true, force: true });
  };
  return { rig, ids, release };
}

const canMount = process.getuid?.() === 0;

describe('full disk', { skip: canMount ? false : 'mounting a tmpfs needs root' }, () => {
  let origin: TestOrigin;
  let dir: string;
  let small: string;
  before(async () => {
    origin = await new TestOrigin().start();
    dir = await tempDir('braid-disk-');
    small = join(dir, 'small');
    await mkdir(small);
    assert.ok(mountTmpfs(small, '48m'), 'mount a 48 MiB tmpfs');
  });
  after(async () => {
    await origin.close();
    execFileSync('umount', [small]);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a download that obviously cannot fit, before writing anything', async () => {
    origin.file('/too-big.bin', 64 * MIB);
    const rig = await makeRig({ dir: await tempDir() });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/too-big.bin'), folder: small }]);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'NOT_ENOUGH_DISK_SPACE');
    assert.deepEqual(readdirSync(small), []);
    await rig.cleanup();
  });

  it('says the disk is full, and leaves no empty database behind, when a new database cannot be created', async () => {
    const stateDir = join(dir, 'no-room-state');
    await mkdir(stateDir);
    assert.ok(mountTmpfs(stateDir, '64k'), 'mount a tiny tmpfs');
    try {
      await fillDisk(stateDir);
      const run = await braid(['add', '--paused', '--db', join(stateDir, 'braid.db'), 'http://127.0.0.1:9/a']);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /the disk that holds the state database is full; free some space and try again \(SQLITE_FULL\)/);
      assert.doesNotMatch(run.stderr, /move the file aside/);
      assert.deepEqual(readdirSync(stateDir), ['fill']);
      const proc = await braid(['add', '--paused', '--db', '/proc/sys/braid.db', 'http://127.0.0.1:9/a']);
      assert.equal(proc.code, 2);
      assert.match(proc.stderr, /cannot create the database \/proc\/sys\/braid\.db/);
      assert.doesNotMatch(proc.stderr, /move the file aside/);
    } finally {
      execFileSync('umount', [stateDir]);
    }
  });

  it('says a folder cannot be written, not that it lacks room, on a read-only disk and under /proc', async () => {
    origin.file('/nowhere.bin', MIB);
    const readOnly = join(dir, 'read-only');
    await mkdir(readOnly);
    assert.ok(mountTmpfs(readOnly, '1m,ro'), 'mount a read-only tmpfs');
    try {
      const rig = await makeRig({ dir: await tempDir() });
      const [ro, proc] = await runDownloads(rig, [
        { url: origin.url('/nowhere.bin'), folder: readOnly },
        { url: `${origin.url('/nowhere.bin')}?proc`, folder: '/proc/sys' },
      ]);
      assert.equal(ro!.error?.code, 'FILE_ERROR', JSON.stringify(ro!.error));
      assert.match(ro!.error!.message, /cannot save into .*read-only: the disk it is on is read-only/);
      assert.equal(proc!.error?.code, 'FILE_ERROR', JSON.stringify(proc!.error));
      assert.match(proc!.error!.message, /cannot save into \/proc\/sys/);
      await rig.cleanup();
    } finally {
      execFileSync('umount', [readOnly]);
    }
  });

  it('stops with DISK_FULL when the disk fills, keeps store and file consistent, lets others go on, resumes after space is freed', async () => {
    const a = origin.file('/fill-a.bin', 26 * MIB, { rate: 8 * MIB });
    const b = origin.file('/fill-b.bin', 26 * MIB, { rate: 8 * MIB });
    const elsewhere = origin.file('/elsewhere.bin', 8 * MIB, { rate: 4 * MIB });
    const rig = await makeRig({ dir: await tempDir(), overrides: { maxConcurrent: 3, segments: 4 } });
    const recs = await runDownloads(rig, [
      { url: origin.url('/fill-a.bin'), folder: small },
      { url: origin.url('/fill-b.bin'), folder: small },
      { url: origin.url('/elsewhere.bin') },
    ]);
    const [ra, rb, other] = recs;
    assert.equal(other!.status, 'completed', 'a download on another disk goes on');
    assert.equal(sha256(await readFile(join(other!.folder, other!.name!))), sha256(elsewhere));
    const full = [ra!, rb!].filter((r) => r.status === 'failed');
    assert.ok(full.length >= 1, 'at least one download met the full disk');
    for (const r of full) {
      assert.equal(r.error?.code, 'DISK_FULL');
      assert.match(r.error!.message, /disk is full/);
      const claimed = await assertCommittedBytesMatch(rig, r.id, r.id === ra!.id ? a : b);
      console.log(`# disk full: download ${r.id} stopped with ${(claimed / MIB).toFixed(1)} MiB committed, every committed byte verified`);
    }

    // Free space: drop whichever other download holds it, then retry.
    const survivor = full[0]!;
    const freeing = [ra!, rb!].find((r) => r.id !== survivor.id)!;
    await rig.engine.remove([freeing.id], { deleteFile: true });
    await rig.engine.retry([survivor.id]);
    await rig.engine.whenSettled([survivor.id]);
    const done = rig.repo.get(survivor.id)!;
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal(sha256(await readFile(join(done.folder, done.name!))), sha256(survivor.id === ra!.id ? a : b));
    assert.ok(!existsSync(join(done.folder, `${done.name}.part`)));
    await rig.cleanup();
  });

  it('keeps the queue waiting while the disk that holds the database is full, and starts it by itself once space is freed', async () => {
    // The app's queue: a start the store cannot even record as failed leaves the download queued for the next tick,
    // so no download is written off for the session because the disk was full for a while.
    const source = origin.file('/queued.bin', 20_000);
    const { rig, ids, release } = await rigOnSmallDisk(join(dir, 'queue-state'), origin.url('/queued.bin'), 12, { overrides: { maxConcurrent: 2 } });
    try {
      const fill = await fillDisk(join(dir, 'queue-state'));
      // What the window is told, tick by tick: why downloads wait, then nothing once they can go on.
      let shown: string | null | undefined;
      rig.engine.onEvent((event) => {
        if (event.type === 'snapshot') shown = event.global.storeProblem;
      });
      rig.engine.start();
      await new Promise((r) => setTimeout(r, 400));
      const waiting = ids.map((id) => rig.repo.get(id)!.status);
      assert.ok(waiting.every((s) => s === 'queued'), `nothing starts while the disk is full: ${waiting.join(' ')}`);
      assert.match(String(shown), /disk that holds Braid’s state database is full: downloads wait until some space is freed/);
      await rm(fill);
      const settled = rig.engine.whenSettled(ids);
      const deadline = new Promise((r) => setTimeout(r, 20_000).unref());
      await Promise.race([settled, deadline]);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(shown, null, 'the window stops saying so once the downloads went on');
      for (const id of ids) {
        const r = rig.repo.get(id)!;
        assert.equal(r.status, 'completed', `#${id} ${r.status} ${JSON.stringify(r.error)}`);
        assert.equal(sha256(await readFile(join(r.folder, r.name!))), sha256(source));
      }
    } finally {
      await release();
    }
  });

  it('leaves no download marked active with nothing running it when the database disk fills mid-download', async () => {
    // Downloads running when the disk fills end with outcomes the store cannot write; once it takes writes
    // again, each is recorded as it ended, or, where it failed, queued again: the queue finishes them by itself.
    const source = origin.file('/steady.bin', 3 * MIB, { rate: MIB });
    const stateDir = join(dir, 'running-state');
    const { rig, ids, release } = await rigOnSmallDisk(stateDir, origin.url('/steady.bin'), 3, { overrides: { maxConcurrent: 3, segments: 2 } });
    try {
      rig.engine.start();
      const until = async (what: string, done: () => boolean) => {
        for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
        assert.ok(done(), what);
      };
      await until('all three running with bytes on disk', () => ids.every((id) => (rig.repo.get(id)?.bytesDone ?? 0) > 0));
      const fill = await fillDisk(stateDir);
      await until('every job ended', () => rig.engine.stats().running === 0);
      await rm(fill);
      // None is written off for the store's refusal: each is queued again and finishes by itself.
      await until('every download completed by itself', () => ids.every((id) => rig.repo.get(id)!.status === 'completed'));
      for (const id of ids) {
        const r = rig.repo.get(id)!;
        assert.equal(r.status, 'completed', `#${id} ${JSON.stringify(r.error)}`);
        assert.equal(sha256(await readFile(join(r.folder, r.name!))), sha256(source));
      }
    } finally {
      await release();
    }
  });

  it('fails a run\'s whole list at once when the disk that holds the database is full, without waiting for ticks', async () => {
    // A run limited to its own downloads (`get`) fills the slot a failed start left free at once: with no tick to
    // start the next one, the list still ends, every download failed or done.
    origin.file('/listed.bin', 20_000);
    const stateDir = join(dir, 'run-state');
    const { rig, ids, release } = await rigOnSmallDisk(stateDir, origin.url('/listed.bin'), 40, { overrides: { maxConcurrent: 2 }, timing: { tickMs: 3_600_000 } });
    try {
      await fillDisk(stateDir);
      rig.engine.start({ only: ids });
      const settled = await Promise.race([
        rig.engine.whenSettled(ids).then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref()),
      ]);
      assert.ok(settled, 'the run ended');
      const notStarted = ids.filter((id) => rig.engine.startFailure(id) !== undefined);
      assert.ok(notStarted.length > 0, 'the full disk refused some starts');
      for (const id of notStarted) assert.match(String(rig.engine.startFailure(id)), /full/);
    } finally {
      await release();
    }
  });

  it('get fails every download at once and exits 1 when the disk that holds its database fills, instead of leaving them queued', async () => {
    // The database fills as the run writes its downloads' status: what cannot start or cannot be recorded is a
    // failure of this run, said once with its reason, and the run ends in moments rather than a tick per start.
    // With --json, every download still gets its line, a failed one with its error.
    origin.file('/tiny.bin', 10_000);
    for (const json of [false, true]) {
      const stateDir = join(dir, `state-${json ? 'json' : 'text'}`);
      await mkdir(stateDir);
      assert.ok(mountTmpfs(stateDir, '1200k'), 'mount a small tmpfs for the database');
      try {
        const db = join(stateDir, 'braid.db');
        const out = join(dir, 'out-state');
        assert.equal((await braid(['add', '--paused', '-d', out, '--db', db, origin.url('/tiny.bin')])).code, 0);
        await fillDisk(stateDir, 300 * 1024);
        const list = join(dir, 'state-list.txt');
        await writeFile(list, Array.from({ length: 100 }, (_, i) => `${origin.url('/tiny.bin')}?${i}\n`).join(''));
        const run = await braid(['get', '-d', out, '--db', db, '-i', list, ...(json ? ['--json'] : [])]);
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, /the disk that holds the state database is full; free some space/);
        if (!json) {
          const summary = /downloaded (\d+) of 100 files, (\d+) failed/.exec(run.stdout);
          assert.ok(summary, run.stdout);
          assert.equal(Number(summary[1]) + Number(summary[2]), 100, `every download is completed or failed: ${run.stdout}`);
          assert.doesNotMatch(run.stdout, /stopped/);
          continue;
        }
        const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        const { summary } = lines.pop() as { summary: { completed: number; failed: number; stopped: number } };
        assert.equal(summary.completed + summary.failed, 100, run.stdout);
        assert.equal(summary.stopped, 0);
        assert.equal(new Set(lines.map((l) => l['url'])).size, 100, `a line for each download: ${run.stdout}`);
        for (const line of lines) {
          if (line['status'] === 'completed') continue;
          assert.equal(line['status'], 'failed', JSON.stringify(line));
          assert.match((line['error'] as { message: string }).message, /full/, JSON.stringify(line));
        }
        assert.equal(lines.filter((l) => l['status'] === 'failed').length, summary.failed);
      } finally {
        execFileSync('umount', [stateDir]);
      }
    }
  });
});
