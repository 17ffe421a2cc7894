import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nodeFileSystem, type FileSystemPort } from '../../electron/engine/index';
import type { DownloadRecord, GlobalStats } from '../../shared/types';
import { assertCompletedWith, makeRig, runDownloads, tempDir, waitFor, type Rig } from '../support/harness';
import { sha256, TestOrigin } from '../support/origin';
import { directWritesIn } from '../support/page-cache';
import { changedHandle, fileSystemWatchingWrites } from '../support/changed-handle';

const MIB = 1024 * 1024;

/** The real file system with every write made slow: the network outruns the disk. */
function slowDisk(delayMs: number): FileSystemPort {
  return fileSystemWatchingWrites(() => new Promise((r) => setTimeout(r, delayMs)));
}

/** Starts the download of `url` on `rig` and pauses it once more than `bytes` of it are recorded. */
async function pausedAfter(rig: Rig, url: string, bytes: number): Promise<{ id: number; paused: DownloadRecord }> {
  const [added] = await rig.engine.add([{ url }]);
  const id = (added as { id: number }).id;
  rig.engine.start();
  await waitFor(() => (rig.repo.get(id)?.bytesDone ?? 0) > bytes, 10_000, 'some progress');
  await rig.engine.pause([id]);
  return { id, paused: rig.repo.get(id)! };
}

describe('engine lifecycle', () => {
  let origin: TestOrigin;
  before(async () => {
    origin = await new TestOrigin().start();
  });
  after(async () => {
    await origin.close();
  });

  it('keeps in-flight bytes under the per-download cap when the disk is slower than the network', async () => {
    const data = origin.file('/slowdisk.bin', 12 * MIB);
    const cap = MIB;
    const rig = await makeRig({ fs: slowDisk(15), overrides: { segments: 8, perDownloadMemory: cap }, bufferSize: 64 * 1024 });
    const [added] = await rig.engine.add([{ url: origin.url('/slowdisk.bin') }]);
    const id = (added as { id: number }).id;
    rig.engine.start();
    let peakReserved = 0;
    let sampled = 0;
    const sampler = setInterval(() => {
      peakReserved = Math.max(peakReserved, rig.engine.stats().reservedMemory);
      sampled++;
    }, 5);
    await waitFor(() => rig.engine.runningJob(id) !== undefined, 5000, 'the job to start');
    const job = rig.engine.runningJob(id)!;
    await rig.engine.whenSettled([id]);
    clearInterval(sampler);
    const rec = rig.repo.get(id)!;
    await assertCompletedWith(rec, data);
    console.log(`# slow disk: peak in-flight ${job.account.peakInFlight} B, peak reserved ${peakReserved} B, cap ${cap} B (${sampled} samples)`);
    assert.ok(job.account.peakInFlight > 0);
    assert.ok(job.account.peakInFlight <= cap, `peak in-flight ${job.account.peakInFlight} over the cap ${cap}`);
    assert.ok(peakReserved <= cap, `peak reserved ${peakReserved} over the cap ${cap}`);
    assert.equal(rig.engine.stats().reservedMemory, 0, 'all memory released afterwards');
    await rig.cleanup();
  });

  it('eight connections in the memory of two buffers each wait for memory before they read', async () => {
    const data = origin.file('/tight.bin', 8 * MIB);
    const bufferSize = 64 * 1024;
    const rig = await makeRig({ fs: slowDisk(20), overrides: { segments: 8, perDownloadMemory: 2 * bufferSize }, bufferSize });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/tight.bin') }]);
    await assertCompletedWith(rec!, data);
    await rig.cleanup();
  });

  it('shares one global budget between downloads', async () => {
    origin.file('/g1.bin', 6 * MIB);
    origin.file('/g2.bin', 6 * MIB);
    origin.file('/g3.bin', 6 * MIB);
    const budget = MIB;
    const rig = await makeRig({ fs: slowDisk(10), overrides: { segments: 4, perDownloadMemory: budget, memoryBudget: budget, maxConcurrent: 3 }, bufferSize: 64 * 1024 });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rig.engine.stats().reservedMemory)), 5);
    const recs = await runDownloads(rig, ['/g1.bin', '/g2.bin', '/g3.bin'].map((p) => ({ url: origin.url(p) })));
    clearInterval(sampler);
    for (const r of recs) assert.equal(r.status, 'completed', JSON.stringify(r.error));
    console.log(`# global budget: peak reserved ${peak} B of ${budget} B`);
    assert.ok(peak <= budget, `peak reserved ${peak} over the global budget ${budget}`);
    await rig.cleanup();
  });

  it('pauses with a checkpoint and resumes to a byte-identical file', async () => {
    const data = origin.file('/pause.bin', 8 * MIB, { rate: 4 * MIB });
    const rig = await makeRig({ overrides: { segments: 4 } });
    const { id, paused } = await pausedAfter(rig, origin.url('/pause.bin'), MIB);
    assert.equal(paused.status, 'paused');
    assert.equal(paused.stopReason, 'user');
    assert.ok(paused.bytesDone > 0 && paused.bytesDone < data.length);
    const stored = rig.repo.segments(id);
    assert.equal(stored.reduce((n, s) => n + s.done, 0), paused.bytesDone, 'segments add up to the recorded progress');
    const requestsBefore = origin.requests('/pause.bin').length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(origin.requests('/pause.bin').length, requestsBefore, 'nothing is fetched while paused');
    await rig.engine.resume([id]);
    await rig.engine.whenSettled([id]);
    const rec = rig.repo.get(id)!;
    await assertCompletedWith(rec, data);
    const resumed = origin.requests('/pause.bin').slice(requestsBefore).filter((l) => l.method === 'GET');
    assert.ok(resumed.every((l) => l.range !== undefined && !l.range.startsWith('bytes=0-') || l.range === 'bytes=0-0'), 'resume does not start from byte 0');
    await rig.cleanup();
  });

  it('starts over, never splicing, when the .part was cut short while paused', async () => {
    // The store counts bytes the cut took away: resuming into the shorter file would leave zeros where they were.
    const data = origin.file('/cut.bin', 8 * MIB, { rate: 4 * MIB });
    const rig = await makeRig({ overrides: { segments: 2 } });
    const { id, paused } = await pausedAfter(rig, origin.url('/cut.bin'), 2 * MIB);
    await truncate(join(paused.folder, `${paused.name}.part`), 1000);
    await rig.engine.resume([id]);
    await rig.engine.whenSettled([id]);
    const done = rig.repo.get(id)!;
    await assertCompletedWith(done, data);
    const said = done.retryLog.map((e) => e.message).join(' | ');
    assert.match(said, /the \.part is 1000 bytes, not the 8388608 it was made with \(changed outside Braid\); started over/, 'the retry log says why');
    await rig.cleanup();
  });

  it('resumes a download whose blocks were allocated ahead with only the margin free: those blocks count as on disk', async (t) => {
    // Free space no longer counts a .part's blocks once they are allocated: counted as still needed, a large
    // download stopped halfway could never resume on a disk with room for it.
    const dir = await tempDir();
    if (!directWritesIn(dir)) return t.skip('no direct writes here');
    const data = origin.file('/reserved.bin', 80 * MIB, { rate: 16 * MIB });
    let free: number | null = null;
    const fs: FileSystemPort = { ...nodeFileSystem, freeSpace: async (folder) => free ?? nodeFileSystem.freeSpace(folder) };
    const rig = await makeRig({ dir, fs, overrides: { segments: 4 } });
    const [added] = await rig.engine.add([{ url: origin.url('/reserved.bin') }]);
    const id = (added as { id: number }).id;
    rig.engine.start();
    await waitFor(() => (rig.repo.get(id)?.bytesDone ?? 0) > 4 * MIB, 20_000, 'some progress');
    await rig.engine.pause([id]);
    const paused = rig.repo.get(id)!;
    assert.ok(await nodeFileSystem.diskUsage(join(paused.folder, `${paused.name}.part`)) >= data.length, 'the blocks were allocated ahead');
    free = 17 * MIB;
    await rig.engine.resume([id]);
    await rig.engine.whenSettled([id]);
    await assertCompletedWith(rig.repo.get(id)!, data);
    await rig.cleanup();
  });

  it('resumes what was running after the engine restarts, and keeps user-paused downloads paused', async () => {
    const data = origin.file('/restart.bin', 8 * MIB, { rate: 4 * MIB });
    origin.file('/stay.bin', MIB);
    const dir = await tempDir();
    const first = await makeRig({ dir, overrides: { segments: 4 } });
    const [a, b] = await first.engine.add([{ url: origin.url('/restart.bin') }, { url: origin.url('/stay.bin'), paused: true }]);
    const id = (a as { id: number }).id;
    const stayId = (b as { id: number }).id;
    first.engine.start();
    await waitFor(() => (first.repo.get(id)?.bytesDone ?? 0) > MIB, 10_000, 'some progress');
    await first.stop();
    const second = await makeRig({ dir, overrides: { segments: 4 } });
    assert.equal(second.repo.get(id)!.status, 'queued', 'a shutdown leaves it queued to resume');
    second.engine.start();
    await second.engine.whenSettled([id]);
    const rec = second.repo.get(id)!;
    await assertCompletedWith(rec, data);
    assert.equal(second.repo.get(stayId)!.status, 'paused');
    await second.cleanup();
  });

  it('refuses a download that cannot fit before writing anything', async () => {
    origin.file('/huge.bin', 4 * MIB);
    const tiny: FileSystemPort = { ...nodeFileSystem, freeSpace: async () => 2 * MIB };
    const rig = await makeRig({ fs: tiny });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/huge.bin') }]);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'NOT_ENOUGH_DISK_SPACE');
    assert.match(rec!.error!.message, /not enough disk space/);
    const folder = join(rig.dir, 'files');
    assert.deepEqual(existsSync(folder) ? readdirSync(folder) : [], [], 'no file was created');
    await rig.cleanup();
  });

  it('after a failure between creating the .part and committing the plan, resumes under the same name and leaves no orphan', async () => {
    const data = origin.file('/orphan.bin', 2 * MIB);
    // The first preallocation fails as a full disk would, right after the .part was created.
    let failNext = true;
    const flaky: FileSystemPort = {
      ...nodeFileSystem,
      createExclusive: async (path) => {
        const handle = await nodeFileSystem.createExclusive(path);
        return changedHandle(handle, {
          truncate: async (n) => {
            if (failNext) {
              failNext = false;
              throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
            }
            return handle.truncate(n);
          },
        });
      },
    };
    const rig = await makeRig({ fs: flaky });
    const [first] = await runDownloads(rig, [{ url: origin.url('/orphan.bin') }]);
    assert.equal(first!.status, 'failed');
    assert.equal(first!.name, 'orphan.bin', 'the name was recorded before the file was created');
    const folder = join(rig.dir, 'files');
    assert.deepEqual(readdirSync(folder), ['orphan.bin.part']);
    await rig.engine.retry([first!.id]);
    await rig.engine.whenSettled([first!.id]);
    const rec = rig.repo.get(first!.id)!;
    assert.equal(rec.status, 'completed', JSON.stringify(rec.error));
    assert.equal(rec.name, 'orphan.bin');
    assert.deepEqual(readdirSync(folder), ['orphan.bin']);
    assert.equal(sha256(await readFile(join(folder, 'orphan.bin'))), sha256(data));
    await rig.cleanup();
  });

  it('removes a download and deletes its partial file when asked', async () => {
    origin.file('/remove.bin', 8 * MIB, { rate: 2 * MIB });
    const rig = await makeRig({ overrides: { segments: 2 } });
    const [added] = await rig.engine.add([{ url: origin.url('/remove.bin') }]);
    const id = (added as { id: number }).id;
    rig.engine.start();
    await waitFor(() => (rig.repo.get(id)?.bytesDone ?? 0) > 0, 10_000, 'some progress');
    const name = rig.repo.get(id)!.name!;
    await rig.engine.remove([id], { deleteFile: true });
    assert.equal(rig.repo.get(id), null);
    assert.ok(!existsSync(join(rig.dir, 'files', `${name}.part`)));
    assert.equal(rig.engine.stats().running, 0);
    await rig.cleanup();
  });

  it('applies a per-download speed limit with a token bucket', async () => {
    origin.file('/limited.bin', 3 * MIB);
    const rig = await makeRig({ overrides: { segments: 4 } });
    const started = Date.now();
    const [rec] = await runDownloads(rig, [{ url: origin.url('/limited.bin'), options: { speedLimit: 2 * MIB } }]);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(rec!.status, 'completed');
    console.log(`# 3 MiB at a 2 MiB/s limit took ${seconds.toFixed(2)} s`);
    // The bucket starts with a small burst, so 3 MiB cannot arrive in much less than a second.
    assert.ok(seconds >= 1.0, `finished in ${seconds} s, faster than the limit allows`);
    await rig.cleanup();
  });

  it('keeps the last minute of its speed and memory, a sample a second, for a face that subscribes late', async () => {
    origin.file('/minute.bin', 3 * MIB, { rate: MIB });
    const rig = await makeRig({ overrides: { segments: 1 } });
    try {
      const [added] = await rig.engine.add([{ url: origin.url('/minute.bin') }]);
      const id = (added as { id: number }).id;
      rig.engine.start();
      // Nobody listens while it runs: the engine samples all the same.
      await waitFor(() => rig.repo.get(id)?.status === 'active', 10_000, 'the download under way');
      await new Promise((r) => setTimeout(r, 2600));
      const first = await new Promise<NonNullable<GlobalStats['recent']>>((resolve, reject) => {
        const timer = setTimeout(() => (off(), reject(new Error('no snapshot carried the last minute'))), 5000);
        const off = rig.engine.onEvent((event) => {
          if (event.type !== 'snapshot' || !event.global.recent) return;
          off();
          clearTimeout(timer);
          resolve(event.global.recent);
        });
      });
      assert.ok(first.speed.length >= 2, `${first.speed.length} seconds sampled`);
      assert.equal(first.inFlight.length, first.speed.length);
      assert.ok(first.speed.filter((v) => v > 0).length >= 2, `speeds ${first.speed.join(', ')}`);
      await rig.engine.whenSettled([id]);
    } finally {
      await rig.cleanup();
    }
  });
});
