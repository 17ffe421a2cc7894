import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { nodeFileSystem, type FileSystemPort } from '../../electron/engine/index';
import { statusText } from '../../shared/status-words';
import type { DownloadSnapshot } from '../../shared/types';
import { changedHandle, fileSystemWithHandles } from '../support/changed-handle';
import { assertCompletedWith, makeRig, runDownloads, tempDir, waitFor, type Rig } from '../support/harness';
import { sha256, TestOrigin } from '../support/origin';

const MIB = 1024 * 1024;

/** The real file system, where one step fails once as if the process had died right there. */
function dieOnceAt(step: 'remove-part' | 'sync-folder'): FileSystemPort {
  let armed = true;
  const die = () => {
    armed = false;
    throw Object.assign(new Error('EIO: i/o error (the process died here)'), { code: 'EIO' });
  };
  return {
    ...nodeFileSystem,
    remove: async (path) => {
      if (armed && step === 'remove-part' && path.endsWith('.part')) die();
      return nodeFileSystem.remove(path);
    },
    syncFolder: async (folder) => {
      if (armed && step === 'sync-folder') die();
      return nodeFileSystem.syncFolder(folder);
    },
  };
}

/** Waits until the download's live row, as a face sees it, passes `check`; returns that row. */
async function rowWhen(rig: Rig, id: number, check: (row: DownloadSnapshot) => boolean, what: string): Promise<DownloadSnapshot> {
  const until = Date.now() + 10_000;
  for (;;) {
    const row = (await rig.engine.list({ limit: 10_000 })).items.find((d) => d.id === id);
    if (row && check(row)) return row;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; the row is ${JSON.stringify(row && { status: row.status, finishing: row.finishing })}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Downloads `path` on a file system that dies once at `step`; returns the failed download's id and its folder. */
async function crashWhileFinishing(origin: TestOrigin, path: string, step: 'remove-part' | 'sync-folder') {
  const dir = await tempDir();
  const crashed = await makeRig({ dir, fs: dieOnceAt(step) });
  const [first] = await runDownloads(crashed, [{ url: origin.url(path) }]);
  assert.equal(first!.status, 'failed');
  await crashed.stop();
  return { dir, id: first!.id, folder: join(dir, 'files') };
}

/** Starts Braid again on the same folder and database and lets the download run to its end. */
async function restart(dir: string, id: number) {
  const rig = await makeRig({ dir });
  await rig.engine.resume([id]);
  rig.engine.start();
  await rig.engine.whenSettled([id]);
  return { rig, rec: rig.repo.get(id)! };
}

describe('finishing a download', () => {
  let origin: TestOrigin;
  before(async () => {
    origin = await new TestOrigin().start();
  });
  after(async () => {
    await origin.close();
  });

  it('after a crash between linking the final name and removing the .part, finishes under the same name, no "(1)"', async () => {
    const data = origin.file('/placed.bin', 2 * MIB);
    const { dir, id, folder } = await crashWhileFinishing(origin, '/placed.bin', 'remove-part');
    assert.deepEqual(readdirSync(folder).sort(), ['placed.bin', 'placed.bin.part']);

    const { rig: restarted, rec } = await restart(dir, id);
    await assertCompletedWith(rec, data);
    assert.equal(rec.name, 'placed.bin');
    assert.deepEqual(readdirSync(folder), ['placed.bin']);
    await restarted.cleanup();
  });

  it('after a crash between removing the .part and committing, completes by the file\'s identity', async () => {
    const data = origin.file('/identity.bin', 2 * MIB);
    const { dir, id, folder } = await crashWhileFinishing(origin, '/identity.bin', 'sync-folder');
    assert.deepEqual(readdirSync(folder), ['identity.bin']);
    const gets = origin.requests('/identity.bin').filter((r) => r.method === 'GET').length;

    const { rig: restarted, rec } = await restart(dir, id);
    await assertCompletedWith(rec, data);
    assert.equal(origin.requests('/identity.bin').filter((r) => r.method === 'GET').length, gets, 'nothing downloaded again');
    await restarted.cleanup();
  });

  it('never takes someone else\'s file of the same name and size for its own', async () => {
    const data = origin.file('/theirs.bin', 2 * MIB);
    const { dir, id, folder } = await crashWhileFinishing(origin, '/theirs.bin', 'sync-folder');
    // Someone replaces the finished file with another one of the same size before Braid starts again.
    const theirs = randomBytes(2 * MIB);
    await rm(join(folder, 'theirs.bin'));
    writeFileSync(join(folder, 'theirs.bin'), theirs);

    const { rig: restarted, rec } = await restart(dir, id);
    await assertCompletedWith(rec, data);
    assert.equal(rec.name, 'theirs (1).bin', 'downloaded again beside their file');
    assert.equal(sha256(await readFile(join(folder, 'theirs.bin'))), sha256(theirs), 'their file untouched');
    await restarted.cleanup();
  });

  it('a pause stops the checksum of a large file at once instead of waiting for it', async () => {
    const data = origin.file('/hashed.bin', 4 * MIB);
    let hashing = false;
    let hashAborted = false;
    const slowHash: FileSystemPort = {
      ...nodeFileSystem,
      // Stands for hashing a file far larger than the test's: it ends only when the signal says stop.
      hash: (_path, _algorithm, signal) =>
        new Promise((_resolve, reject) => {
          hashing = true;
          signal.addEventListener('abort', () => {
            hashAborted = true;
            reject(signal.reason);
          }, { once: true });
        }),
    };
    const rig = await makeRig({ fs: slowHash });
    const [added] = await rig.engine.add([{ url: origin.url('/hashed.bin'), options: { checksum: { algorithm: 'sha-256', hex: sha256(data) } } }]);
    const id = (added as { id: number }).id;
    rig.engine.start();
    await waitFor(() => hashing, 10_000, 'the checksum to start');
    await rig.engine.pause([id]);
    assert.ok(hashAborted, 'the hash was told to stop');
    assert.equal(rig.repo.get(id)!.status, 'paused');
    await rig.cleanup();
  });

  it('shows the checksum being computed, then the file being saved, where it showed 100% at 0 B/s', async () => {
    const data = origin.file('/shown.bin', 4 * MIB);
    let hashed = false;
    let syncing = false;
    let releaseHash = () => {};
    let releaseSync = () => {};
    const hashHeld = new Promise<void>((resolve) => (releaseHash = resolve));
    const syncHeld = new Promise<void>((resolve) => (releaseSync = resolve));
    const fs: FileSystemPort = {
      // The last sync, after the checksum, waits; the checkpoints' syncs before it do not.
      ...fileSystemWithHandles((handle) => changedHandle(handle, { datasync: async () => (hashed && ((syncing = true), await syncHeld), handle.datasync()) })),
      // The whole file is read and hashed, then the answer waits, as a large file's would take its time.
      hash: async (path, algorithm, signal, onRead) => {
        const hex = await nodeFileSystem.hash(path, algorithm, signal, onRead);
        hashed = true;
        await hashHeld;
        return hex;
      },
    };
    const rig = await makeRig({ fs });
    const [added] = await rig.engine.add([{ url: origin.url('/shown.bin'), options: { checksum: { algorithm: 'sha-256', hex: sha256(data) } } }]);
    const id = (added as { id: number }).id;
    rig.engine.start();
    await waitFor(() => hashed, 10_000, 'the checksum to be computed');
    const checking = await rowWhen(rig, id, (row) => row.finishing !== undefined, 'the row to show the checksum');
    assert.deepEqual(checking.finishing, { step: 'checksum', done: 4 * MIB, total: 4 * MIB });
    assert.equal(statusText(checking), 'Verifying checksum (100%)');
    releaseHash();
    await waitFor(() => syncing, 10_000, 'the file to be synced');
    const saving = await rowWhen(rig, id, (row) => row.finishing?.step === 'saving', 'the row to show the saving');
    assert.equal(statusText(saving), 'Saving');
    releaseSync();
    await rig.engine.whenSettled([id]);
    await assertCompletedWith(rig.repo.get(id)!, data);
    await rig.cleanup();
  });

  it('shows the seams being checked, and how many of them, where the server sends no validator', async () => {
    // Four segments' answers come at once; each request after them (the seam checks) waits 1.5 s.
    const data = origin.file('/seamed.bin', 8 * MIB, { noValidators: true, slowAnswerMs: 1500, slowAnswerAfter: 4 });
    const rig = await makeRig({ overrides: { segments: 4 } });
    const [added] = await rig.engine.add([{ url: origin.url('/seamed.bin') }]);
    const id = (added as { id: number }).id;
    rig.engine.start();
    const checking = await rowWhen(rig, id, (row) => row.finishing !== undefined, 'the row to show the seams');
    assert.deepEqual(checking.finishing, { step: 'seams', done: 0, total: 3 });
    assert.equal(statusText(checking), 'Checking seams (0 of 3)');
    await rig.engine.whenSettled([id]);
    await assertCompletedWith(rig.repo.get(id)!, data);
    await rig.cleanup();
  });

  it('stops showing the seams the moment a seam reads differently and the download starts over', async () => {
    // The file changes after the four segments' answers, so the seams read differently; asking the server again
    // (a HEAD) then takes 1.5 s, long enough to see what the row says while the download starts over.
    origin.file('/changing.bin', 8 * MIB, { noValidators: true, changeAfter: 4, slowHeadMs: 1500 });
    const rig = await makeRig({ overrides: { segments: 4 } });
    const [added] = await rig.engine.add([{ url: origin.url('/changing.bin') }]);
    const id = (added as { id: number }).id;
    rig.engine.start();
    await rowWhen(rig, id, (row) => row.finishing?.step === 'seams', 'the row to show the seams');
    const restarting = await rowWhen(rig, id, (row) => /starting over/.test(row.error?.message ?? ''), 'the row to say it starts over');
    assert.equal(restarting.finishing, undefined, `starting over, the row says ${statusText(restarting)}`);
    await rig.engine.whenSettled([id]);
    await assertCompletedWith(rig.repo.get(id)!, origin.current('/changing.bin'));
    await rig.cleanup();
  });

  it('the real hash stops between two reads when told to', async () => {
    const dir = await tempDir();
    const path = join(dir, 'big.bin');
    writeFileSync(path, randomBytes(32 * MIB));
    const stop = new AbortController();
    const reason = new Error('stop');
    const hashing = nodeFileSystem.hash(path, 'sha-256', stop.signal);
    stop.abort(reason);
    await assert.rejects(hashing, (e) => e === reason);
    await rm(dir, { recursive: true, force: true });
  });
});
