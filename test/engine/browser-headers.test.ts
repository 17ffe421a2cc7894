import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AddRequest } from '../../shared/types';
import { assertCompletedWith, makeRig, runDownloads, waitFor } from '../support/harness';
import { TestOrigin } from '../support/origin';

// What the browser bridge hands Braid: the browser's cookies, referrer and user agent as the download's own
// headers. They go to the download's origin only, and the database forgets them once the download is done.

const MIB = 1024 * 1024;
const COOKIE = 'session=abc123; theme=dark';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0';

function fromBrowser(url: string, referrer: string): AddRequest {
  return { url, options: { headers: { Cookie: COOKIE, Referer: referrer, 'User-Agent': UA } } };
}

describe('headers handed over by the browser', () => {
  let origin: TestOrigin;
  let other: TestOrigin;

  before(async () => {
    origin = await new TestOrigin().start();
    other = await new TestOrigin().start();
  });
  after(async () => {
    await origin.close();
    await other.close();
  });

  it('go with every request to the download origin, and the store forgets them when it completes', async () => {
    const data = origin.file('/session.bin', 5 * MIB, { cookie: 'session=abc123' });
    const rig = await makeRig({ overrides: { segments: 4 } });
    try {
      const [rec] = await runDownloads(rig, [fromBrowser(origin.url('/session.bin'), origin.url('/page'))]);
      await assertCompletedWith(rec!, data);
      const requests = origin.requests('/session.bin');
      assert.ok(requests.filter((l) => l.range !== undefined).length >= 4, 'in segments');
      for (const l of requests) {
        assert.equal(l.headers.cookie, COOKIE);
        assert.equal(l.headers.referer, origin.url('/page'));
        assert.equal(l.headers['user-agent'], UA);
      }
      assert.equal(rec!.options.headers, undefined, 'the completed row holds no cookie');
    } finally {
      await rig.cleanup();
    }
  });

  it('never follow a redirect to another host', async () => {
    const data = other.file('/cdn.bin', 3 * MIB);
    origin.redirect('/signed.bin', other.url('/cdn.bin'));
    const rig = await makeRig({ overrides: { segments: 4 } });
    try {
      const [rec] = await runDownloads(rig, [fromBrowser(origin.url('/signed.bin'), origin.url('/page'))]);
      await assertCompletedWith(rec!, data);
      assert.ok(origin.requests('/signed.bin').every((l) => l.headers.cookie === COOKIE), 'the first origin gets its cookie');
      const elsewhere = other.requests('/cdn.bin');
      assert.ok(elsewhere.length > 1);
      assert.ok(elsewhere.every((l) => l.headers.cookie === undefined && l.headers.referer === undefined), 'the other host sees neither cookie nor referrer');
    } finally {
      await rig.cleanup();
    }
  });

  it('are kept while the download can still run, and shown masked', async () => {
    const rig = await makeRig();
    try {
      const [added] = await rig.engine.add([{ ...fromBrowser(origin.url('/later.bin'), origin.url('/page')), paused: true }]);
      assert.ok(added?.ok);
      assert.equal(rig.repo.get(added.id)!.options.headers?.['Cookie'], COOKIE, 'a paused download keeps what it needs to resume');
      const detail = await rig.engine.detail(added.id);
      assert.deepEqual(detail!.record.options.headers, {
        Cookie: 'session=…; theme=…',
        Referer: `… (${origin.url('/page').length} characters)`,
        'User-Agent': `… (${UA.length} characters)`,
      });
      await rig.engine.remove([added.id], { deleteFile: false });
      assert.equal(rig.repo.get(added.id), null, 'a removed download takes its cookie with it');
    } finally {
      await rig.cleanup();
    }
  });

  it('stay behind when a refreshed link goes to another host', async () => {
    const data = origin.file('/moving.bin', 2 * MIB, { cookie: 'session=abc123', rate: 1 * MIB });
    const rig = await makeRig({ overrides: { segments: 2 } });
    rig.engine.start();
    try {
      const [added] = await rig.engine.add([fromBrowser(origin.url('/moving.bin'), origin.url('/page'))]);
      assert.ok(added?.ok);
      await waitFor(() => (rig.repo.get(added.id)?.bytesDone ?? 0) > 256 * 1024, 20_000, 'some bytes on disk');
      await rig.engine.pause([added.id]);
      other.serve('/moved.bin', data);
      await rig.engine.refreshLink(added.id, other.url('/moved.bin'), {});
      assert.equal(rig.repo.get(added.id)!.options.headers, undefined, 'the new link to another host keeps no cookie');
      await rig.engine.resume([added.id]);
      await rig.engine.whenSettled([added.id]);
      await assertCompletedWith(rig.repo.get(added.id)!, data);
      const elsewhere = other.requests('/moved.bin');
      assert.ok(elsewhere.length > 0);
      assert.ok(elsewhere.every((l) => l.headers.cookie === undefined && l.headers.referer === undefined), 'the other host sees neither cookie nor referrer');
    } finally {
      await rig.cleanup();
    }
  });
});
