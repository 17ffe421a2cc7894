import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dispatch } from '../../electron/engine/index';
import { makeRig, runDownloads, waitFor } from '../support/harness';
import { TestOrigin } from '../support/origin';

const MIB = 1024 * 1024;

describe('what the Add dialog asks before adding, and what removing leaves', () => {
  let origin: TestOrigin;
  before(async () => {
    origin = await new TestOrigin().start();
  });
  after(() => origin.close());

  it('previews name, size and resumability from the server, and adds nothing', async () => {
    origin.file('/preview/plain.iso', 3 * MIB);
    origin.file('/preview/cd', 5000, { contentDisposition: 'attachment; filename="report 2026.pdf"' });
    origin.file('/preview/whole.bin', 1234, { ignoreRange: true });
    const rig = await makeRig();
    try {
      const results = await rig.engine.preview([origin.url('/preview/plain.iso'), origin.url('/preview/cd'), origin.url('/preview/whole.bin')]);
      assert.deepEqual(
        results.map((r) => (r.ok ? [r.name, r.size, r.resumable, r.existing] : r.error.code)),
        [
          ['plain.iso', 3 * MIB, true, null],
          ['report 2026.pdf', 5000, true, null],
          ['whole.bin', 1234, false, null],
        ],
      );
      assert.equal(rig.engine.stats().running, 0);
      assert.equal((await rig.engine.list({})).total, 0, 'a preview adds nothing');
    } finally {
      await rig.cleanup();
    }
  });

  it('marks refused URLs and servers that say no with their reason, in the order asked', async () => {
    const rig = await makeRig();
    try {
      const results = await dispatch(rig.engine, 'preview', [[origin.url('/preview/missing.bin'), 'ftp://example/x', 'not a url']]);
      assert.deepEqual(
        (results as { ok: boolean; error?: { code: string } }[]).map((r) => (r.ok ? 'ok' : r.error!.code)),
        ['HTTP_ERROR', 'UNSUPPORTED_SCHEME', 'INVALID_URL'],
      );
      await assert.rejects(dispatch(rig.engine, 'preview', [[]]), /preview needs a list of 1 to 100 URLs/);
    } finally {
      await rig.cleanup();
    }
  });

  it('finds the download already made or queued for a URL', async () => {
    origin.file('/preview/again.bin', 64 * 1024);
    const rig = await makeRig();
    try {
      const [done] = await runDownloads(rig, [{ url: origin.url('/preview/again.bin') }]);
      const [queued] = await rig.engine.add([{ url: origin.url('/preview/queued.bin'), paused: true }]);
      origin.file('/preview/queued.bin', 1000);
      const [a, b] = await rig.engine.preview([origin.url('/preview/again.bin'), origin.url('/preview/queued.bin')]);
      assert.deepEqual(a!.existing, { id: done!.id, name: 'again.bin', status: 'completed', folder: done!.folder });
      assert.equal(b!.existing?.id, (queued as { id: number }).id);
      assert.equal(b!.existing?.status, 'paused');
    } finally {
      await rig.cleanup();
    }
  });

  it('removing an unfinished download always deletes its .part; a finished file stays unless asked', async () => {
    origin.file('/preview/slow.bin', 8 * MIB, { rate: 512 * 1024 });
    origin.file('/preview/kept.bin', 32 * 1024);
    const rig = await makeRig();
    try {
      const [done] = await runDownloads(rig, [{ url: origin.url('/preview/kept.bin') }]);
      const [added] = await rig.engine.add([{ url: origin.url('/preview/slow.bin') }]);
      const id = (added as { id: number }).id;
      await waitFor(() => (rig.repo.get(id)?.bytesDone ?? 0) > 0, 10_000, 'some progress');
      const part = join(rig.dir, 'files', `${rig.repo.get(id)!.name!}.part`);
      assert.ok(existsSync(part), 'the .part is there while it runs');
      await rig.engine.remove([id, done!.id], { deleteFile: false });
      assert.ok(!existsSync(part), 'the .part of the unfinished download is gone');
      assert.ok(existsSync(join(rig.dir, 'files', 'kept.bin')), 'the finished file is kept');
    } finally {
      await rig.cleanup();
    }
  });
});
