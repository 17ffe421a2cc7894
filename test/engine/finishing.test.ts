import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { nodeFileSystem, type FileSystemPort } from '../../electron/engine/index';
import { assertCompletedWith, makeRig, runDownloads, tempDir, waitFor } from '../support/harness';
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
