// Signed links that expire mid-download: a download URL redirects to a link valid for about a second, and the
// answers are cut mid-body, so finishing takes several fresh links from the download's own URL. A link refused
// with no redirect to go back through fails as LINK_EXPIRED. Prints "requests sent after a link expired".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertCompletedWith, makeRig, runDownloads, waitFor, type Rig } from '../support/harness';
import { TestOrigin, type Logged } from '../support/origin';

const MiB = 1024 * 1024;

/** Requests that reached the origin after the first refusal of an expired link, and the refusals among them. */
function afterExpiry(log: Logged[], refused: number): { requests: number; refusals: number } {
  const first = log.findIndex((l) => l.status === refused);
  if (first < 0) return { requests: 0, refusals: 0 };
  const later = log.slice(first + 1);
  return { requests: later.length, refusals: later.filter((l) => l.status === refused).length };
}

function rangeLength(range: string): number {
  const [first, last] = range.slice('bytes='.length).split('-').map(Number);
  return last! - first! + 1;
}

describe('links that expire mid-download', () => {
  let origin: TestOrigin;
  const rigs: Rig[] = [];
  before(async () => {
    origin = await new TestOrigin().start();
  });
  after(async () => {
    for (const rig of rigs) await rig.cleanup();
    await origin.close();
  });

  async function rig(dir?: string): Promise<Rig> {
    const r = await makeRig({ dir, overrides: { segments: 4 } });
    rigs.push(r);
    return r;
  }

  it('asks the download URL again for a fresh link each time the signed one expires (403), and finishes byte-identical', async () => {
    const r = await rig();
    // 10 MiB at 1 MiB/s on each of 4 connections: at least 2.5 s, so links handed out at 0, 1 and 2 s are needed.
    const data = origin.file('/signed/a.bin', 10 * MiB, { signed: true, rate: 1 * MiB, dropAfter: 384 * 1024, dropTimes: 1000 });
    origin.signedRedirect('/dl/a.bin', '/signed/a.bin', 1000);
    const start = origin.log.length;
    const [rec] = await runDownloads(r, [{ url: origin.url('/dl/a.bin') }]);
    await assertCompletedWith(rec!, data);
    const log = origin.log.slice(start);
    const links = log.filter((l) => l.path === '/dl/a.bin').length;
    assert.ok(links >= 3, `several fresh links were needed (${links} asked)`);
    assert.equal(rec!.linkRefresh?.by, 'original-url');
    assert.ok(log.some((l) => l.status === 403), 'the signed link did expire during the download');
    const figure = afterExpiry(log, 403);
    console.log(`# requests sent after a link expired: ${figure.requests} (${figure.refusals} of them refused), ${links} links asked for a ${data.length / MiB} MiB file`);
  });

  it("asks again after an object store's 400 with an ExpiredToken body", async () => {
    const r = await rig();
    const expiredBody = '<?xml version="1.0"?><Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>';
    const data = origin.file('/signed/b.bin', 3 * MiB, { signed: true, expiredStatus: 400, expiredBody, rate: 1 * MiB, dropAfter: 256 * 1024, dropTimes: 1000 });
    origin.signedRedirect('/dl/b.bin', '/signed/b.bin', 700);
    const start = origin.log.length;
    const [rec] = await runDownloads(r, [{ url: origin.url('/dl/b.bin') }]);
    await assertCompletedWith(rec!, data);
    assert.ok(origin.log.slice(start).some((l) => l.status === 400), 'the signed link did expire');
  });

  it('with no validator, checks the seams between links (and gets a fresh link for that too)', async () => {
    const r = await rig();
    const data = origin.file('/signed/s.bin', 3 * MiB, { signed: true, noValidators: true, rate: 1 * MiB, dropAfter: 256 * 1024, dropTimes: 1000 });
    origin.signedRedirect('/dl/s.bin', '/signed/s.bin', 700);
    const start = origin.log.length;
    const [rec] = await runDownloads(r, [{ url: origin.url('/dl/s.bin') }]);
    await assertCompletedWith(rec!, data);
    const log = origin.log.slice(start);
    assert.ok(log.some((l) => l.status === 403), 'the signed link did expire');
    // Seam windows are 8 KiB ranges read again after the transfer.
    assert.ok(log.some((l) => /^bytes=\d+-\d+$/.test(l.range ?? '') && l.status === 206 && rangeLength(l.range!) <= 8192), 'seams were read again');
  });

  it('a 400 that is not about an expired signature is not taken for one', async () => {
    const r = await rig();
    origin.file('/signed/c.bin', 1 * MiB, { signed: true, expiredStatus: 400, expiredBody: '<Error><Code>InvalidArgument</Code></Error>' });
    // Valid for no time at all: the very first segment request is refused with a 400 of another kind.
    origin.signedRedirect('/dl/c.bin', '/signed/c.bin', -1);
    const [rec] = await runDownloads(r, [{ url: origin.url('/dl/c.bin') }]);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'HTTP_ERROR');
  });

  it('resumes after a restart from the download URL, never from the expired link it last had', async () => {
    const first = await rig();
    const data = origin.file('/signed/d.bin', 4 * MiB, { signed: true, rate: 512 * 1024 });
    origin.signedRedirect('/dl/d.bin', '/signed/d.bin', 1000);
    const added = (await first.engine.add([{ url: origin.url('/dl/d.bin') }]))[0]!;
    if (!added.ok) throw new Error(added.error.message);
    first.engine.start();
    await waitFor(() => (first.repo.get(added.id)?.bytesDone ?? 0) > 512 * 1024, 20_000, 'some bytes on disk');
    await first.stop();
    await new Promise((r) => setTimeout(r, 1200)); // the link it had is expired now
    const restartedAt = origin.log.length;
    const second = await rig(first.dir);
    second.engine.start();
    await second.engine.whenSettled([added.id]);
    const rec = second.repo.get(added.id)!;
    await assertCompletedWith(rec, data);
    const log = origin.log.slice(restartedAt);
    assert.equal(log[0]?.path, '/dl/d.bin', 'the restart asked the download URL first');
    assert.ok(!log.some((l) => l.status === 403), 'no request went to the expired link');
    assert.ok(!log.some((l) => l.range?.startsWith('bytes=0-') && l.path === '/signed/d.bin' && l.range !== 'bytes=0-0'), 'the bytes on disk were kept');
  });

  it('fails as LINK_EXPIRED, saying so, when a link with no redirect behind it refuses mid-download', async () => {
    const r = await rig();
    origin.file('/direct/e.bin', 2 * MiB, { expireAfterBytes: 512 * 1024, dropAfter: 128 * 1024, dropTimes: 1000 });
    const [rec] = await runDownloads(r, [{ url: origin.url('/direct/e.bin') }]);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'LINK_EXPIRED');
    assert.match(rec!.error!.message, /the link expired/);
    assert.match(rec!.error!.message, new RegExp(`braid refresh ${rec!.id} URL`));
    assert.ok(rec!.bytesDone > 0);
  });
});
