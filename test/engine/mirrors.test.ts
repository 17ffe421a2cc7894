import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertCompletedWith, makeRig, runDownloads, waitFor, waitForReceived } from '../support/harness';
import { sha256, TestOrigin } from '../support/origin';

const MIB = 1024 * 1024;

describe('mirrors', () => {
  let primary: TestOrigin;
  let mirror: TestOrigin;
  before(async () => {
    primary = await new TestOrigin().start();
    mirror = await new TestOrigin().start();
  });
  after(async () => {
    await primary.close();
    await mirror.close();
  });

  it('takes the file from a mirror when the download’s own URL fails', async () => {
    primary.file('/gone.bin', MIB, { status: 404 });
    const data = mirror.file('/gone.bin', 2 * MIB);
    const rig = await makeRig();
    const [rec] = await runDownloads(rig, [{ url: primary.url('/gone.bin'), mirrors: [mirror.url('/gone.bin')] }]);
    await assertCompletedWith(rec!, data);
    assert.equal(rec!.sourceUrl, mirror.url('/gone.bin'));
    assert.ok(rec!.retryLog.some((r) => r.message.includes(`trying ${mirror.url('/gone.bin')}`)), JSON.stringify(rec!.retryLog));
    await rig.cleanup();
  });

  it('moves to a mirror when the checksum fails, without saying the wrong bytes stay in the .part', async () => {
    // The own URL serves another version: its checksum fails, and the mirror's file, the right one, replaces it.
    primary.file('/summed.bin', MIB);
    const data = mirror.file('/summed.bin', MIB);
    const rig = await makeRig();
    const checksum = { algorithm: 'sha-256' as const, hex: sha256(data) };
    const [rec] = await runDownloads(rig, [{ url: primary.url('/summed.bin'), mirrors: [mirror.url('/summed.bin')], options: { checksum } }]);
    await assertCompletedWith(rec!, data);
    const moved = rec!.retryLog.find((r) => r.code === 'CHECKSUM_ERROR');
    assert.ok(moved, JSON.stringify(rec!.retryLog));
    assert.match(moved.message, new RegExp(`expected ${checksum.hex}; trying ${mirror.url('/summed.bin')}`));
    assert.doesNotMatch(moved.message, /stays in/, 'the mirror writes over what arrived');
    await rig.cleanup();
  });

  it('never mixes two servers’ bytes: a source that dies mid-file is replaced from byte 0', async () => {
    // The mirror's file is another version of the same size, so any splice would show in the hash.
    const dying = await new TestOrigin().start();
    dying.file('/split.bin', 4 * MIB, { rate: MIB });
    const other = mirror.file('/split.bin', 4 * MIB);
    const rig = await makeRig({ overrides: { segments: 4 } });
    const [added] = await rig.engine.add([{ url: dying.url('/split.bin'), mirrors: [mirror.url('/split.bin')] }]);
    const id = added!.ok ? added!.id : assert.fail();
    rig.engine.start();
    await waitForReceived(rig, id, 512 * 1024, 15_000, 'part of the file from the first server');
    await dying.close(); // connections cut, new ones refused
    await rig.engine.whenSettled([id]);
    const rec = rig.repo.get(id)!;
    await assertCompletedWith(rec, other, 'the whole file is the mirror’s');
    const asked = mirror.requests('/split.bin').filter((l) => l.method === 'GET').map((l) => l.range);
    assert.ok(asked.some((r) => r?.startsWith('bytes=0-')), `the mirror was asked from byte 0: ${asked.join(', ')}`);
    await rig.cleanup();
  });

  it('after a restart, resumes from the mirror it was using', async () => {
    primary.file('/resume.bin', MIB, { status: 503 });
    const data = mirror.file('/resume.bin', 6 * MIB, { rate: 2 * MIB });
    const first = await makeRig({ overrides: { segments: 2 } });
    const [added] = await first.engine.add([{ url: primary.url('/resume.bin'), mirrors: [mirror.url('/resume.bin')] }]);
    const id = added!.ok ? added!.id : assert.fail();
    first.engine.start();
    await waitFor(() => (first.repo.get(id)?.bytesDone ?? 0) > MIB, 15_000, 'a MiB from the mirror');
    await first.stop(); // a quit: checkpoint, then close
    const probesBefore = primary.requests('/resume.bin').length;
    const second = await makeRig({ dir: first.dir, overrides: { segments: 2 } });
    second.engine.start();
    await second.engine.whenSettled([id]);
    const rec = second.repo.get(id)!;
    await assertCompletedWith(rec, data);
    assert.equal(primary.requests('/resume.bin').length, probesBefore, 'the failed URL was not asked again');
    const resumed = mirror.requests('/resume.bin').filter((l) => l.method === 'GET').slice(-2);
    assert.ok(resumed.every((l) => !l.range?.startsWith('bytes=0-')), `resumed, not restarted: ${resumed.map((l) => l.range).join(', ')}`);
    await second.cleanup();
  });

  it('fails with the last reason when every URL fails, and says the others failed too', async () => {
    primary.file('/nowhere.bin', MIB, { status: 404 });
    mirror.file('/nowhere.bin', MIB, { status: 410 });
    const rig = await makeRig();
    const [rec] = await runDownloads(rig, [{ url: primary.url('/nowhere.bin'), mirrors: [mirror.url('/nowhere.bin')] }]);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'HTTP_ERROR');
    assert.match(rec!.error!.message, /410.*its other URL failed before/);
    assert.equal(rec!.error?.status, 410, "the last URL's status");
    await rig.cleanup();
  });
});
