// A paused or failed download given a new URL: the new link must prove it serves the same file before any of
// its bytes is written (same size and strong ETag, else sample windows of the bytes on disk read the same);
// then the download goes on from the disk. A different file is refused, with nothing changed, until the user
// asks to start over. Never a splice.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { BraidError } from '../../electron/engine/index';
import { assertCompletedWith, makeRig, runDownloads, waitForReceived, type Rig } from '../support/harness';
import { TestOrigin } from '../support/origin';

const MiB = 1024 * 1024;

/** Body bytes asked of `path` by GETs (open-ended ranges count to the end of a file of `size`). */
function bytesAsked(origin: TestOrigin, path: string, size: number): number {
  return origin
    .requests(path)
    .filter((l) => l.method === 'GET' && l.status >= 200 && l.status < 300)
    .reduce((n, l) => {
      const m = /^bytes=(\d+)-(\d*)$/.exec(l.range ?? '');
      if (!m) return n + size;
      return n + (m[2] ? Number(m[2]) : size - 1) - Number(m[1]) + 1;
    }, 0);
}

describe('refreshing a download with a new link', () => {
  let origin: TestOrigin;
  let rig: Rig;
  before(async () => {
    origin = await new TestOrigin().start();
    rig = await makeRig({ overrides: { segments: 4 } });
    rig.engine.start();
  });
  after(async () => {
    await rig.cleanup();
    await origin.close();
  });

  /** Starts a download of `path` and pauses it once some of it is on disk. */
  async function pausedPartway(path: string): Promise<number> {
    const added = (await rig.engine.add([{ url: origin.url(path) }]))[0]!;
    if (!added.ok) throw new Error(added.error.message);
    await waitForReceived(rig, added.id, 512 * 1024, 20_000, 'some bytes');
    await rig.engine.pause([added.id]);
    assert.equal(rig.repo.get(added.id)!.status, 'paused');
    return added.id;
  }

  async function settled(id: number) {
    await rig.engine.whenSettled([id]);
    return rig.repo.get(id)!;
  }

  it('proves the same file by size and strong ETag, and resumes from the disk', async () => {
    const size = 4 * MiB;
    const data = origin.file('/old/v.bin', size, { rate: 1 * MiB, etag: '"same-file"' });
    const id = await pausedPartway('/old/v.bin');
    origin.serve('/new/v.bin', data, { etag: '"same-file"' });
    const result = await rig.engine.refreshLink(id, origin.url('/new/v.bin'), {});
    assert.equal(result.proof, 'validator');
    assert.ok(result.kept > 0);
    const rec = await settled(id);
    await assertCompletedWith(rec, data);
    assert.equal(rec.url, origin.url('/new/v.bin'));
    assert.equal(rec.linkRefresh?.by, 'user');
    assert.ok(bytesAsked(origin, '/new/v.bin', size) <= size - result.kept, 'the bytes on disk were not fetched again');
    const shown = (await rig.engine.list({ limit: 1000 })).items.find((d) => d.id === id);
    assert.equal(shown?.linkRefresh?.by, 'user', 'the snapshot tells the UI');
  });

  it('fails a resume whose link now refuses (403) as LINK_EXPIRED, and a refresh finishes it from the disk', async () => {
    const size = 4 * MiB;
    const data = origin.file('/old/r.bin', size, { rate: 1 * MiB });
    const id = await pausedPartway('/old/r.bin');
    const kept = rig.repo.get(id)!.bytesDone;
    origin.serve('/old/r.bin', data, { status: 403 });
    await rig.engine.resume([id]);
    const failed = await settled(id);
    assert.equal(failed.error?.code, 'LINK_EXPIRED');
    origin.serve('/new/r.bin', data);
    await rig.engine.refreshLink(id, origin.url('/new/r.bin'), {});
    const rec = await settled(id);
    await assertCompletedWith(rec, data);
    assert.ok(bytesAsked(origin, '/new/r.bin', size) <= size - kept, 'the bytes on disk were kept');
  });

  it('proves the same file by sample windows when neither link has a validator', async () => {
    const size = 4 * MiB;
    const data = origin.file('/old/s.bin', size, { rate: 1 * MiB, noValidators: true });
    const id = await pausedPartway('/old/s.bin');
    origin.serve('/new/s.bin', data, { noValidators: true });
    const result = await rig.engine.refreshLink(id, origin.url('/new/s.bin'), {});
    assert.equal(result.proof, 'samples');
    const samples = origin.requests('/new/s.bin').filter((l) => l.method === 'GET' && l.range).length;
    assert.ok(samples >= 2, `windows of the bytes on disk were read again (${samples})`);
    const rec = await settled(id);
    await assertCompletedWith(rec, data);
  });

  it('refuses a different file of the same size, changes nothing, and starts over only when asked', async () => {
    const size = 4 * MiB;
    const data = origin.file('/old/x.bin', size, { rate: 1 * MiB, noValidators: true });
    const id = await pausedPartway('/old/x.bin');
    const before = rig.repo.get(id)!;
    const beforeSegments = rig.repo.segments(id);
    const other = origin.serve('/new/x.bin', randomBytes(size), { noValidators: true });
    await assert.rejects(rig.engine.refreshLink(id, origin.url('/new/x.bin'), {}), (error: BraidError) => {
      assert.equal(error.code, 'CANNOT_RESUME');
      assert.match(error.message, /different file/);
      assert.match(error.message, new RegExp(`braid refresh ${id} URL --start-over`));
      return true;
    });
    const after = rig.repo.get(id)!;
    assert.equal(after.url, before.url);
    assert.equal(after.status, 'paused');
    assert.deepEqual(rig.repo.segments(id), beforeSegments);
    assert.notDeepEqual(other.subarray(0, 64), data.subarray(0, 64));

    const result = await rig.engine.refreshLink(id, origin.url('/new/x.bin'), { startOver: true });
    assert.equal(result.proof, 'start-over');
    const rec = await settled(id);
    await assertCompletedWith(rec, other, 'the new file, whole, with no byte of the old one');
  });

  it('refuses another version by its ETag', async () => {
    const size = 4 * MiB;
    const data = origin.file('/old/t.bin', size, { rate: 1 * MiB, etag: '"one"' });
    const id = await pausedPartway('/old/t.bin');
    origin.serve('/new/t.bin', Buffer.from(data), { etag: '"two"' });
    await assert.rejects(rig.engine.refreshLink(id, origin.url('/new/t.bin'), {}), /another version of the file \(its ETag differs\)/);
    await rig.engine.remove([id], { deleteFile: true });
  });

  it('refuses a download that is running or done', async () => {
    const data = origin.file('/old/done.bin', 10_000);
    const [rec] = await runDownloads(rig, [{ url: origin.url('/old/done.bin') }]);
    await assertCompletedWith(rec!, data);
    await assert.rejects(rig.engine.refreshLink(rec!.id, origin.url('/old/done.bin'), {}), /is completed: there is nothing left to fetch/);
  });

  it('takes an expired link (403 mid-download) to completion, byte-identical, from a refreshed one', async () => {
    const size = 3 * MiB;
    const data = origin.file('/old/e.bin', size, { expireAfterBytes: 1 * MiB, dropAfter: 128 * 1024, dropTimes: 1000 });
    const [failed] = await runDownloads(rig, [{ url: origin.url('/old/e.bin') }]);
    assert.equal(failed!.error?.code, 'LINK_EXPIRED');
    const kept = failed!.bytesDone;
    assert.ok(kept > 0);
    origin.serve('/new/e.bin', data);
    const result = await rig.engine.refreshLink(failed!.id, origin.url('/new/e.bin'), {});
    assert.equal(result.proof, 'validator');
    const rec = await settled(failed!.id);
    await assertCompletedWith(rec, data);
    assert.ok(bytesAsked(origin, '/new/e.bin', size) <= size - kept, 'the bytes on disk were kept');
  });
});
