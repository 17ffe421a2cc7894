import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DownloadRecord } from '../../shared/types';
import { assertCompletedWith, makeRig, runDownloads, type Rig } from '../support/harness';
import { sha256, TestOrigin } from '../support/origin';

const MIB = 1024 * 1024;

describe('engine against a real origin', () => {
  let origin: TestOrigin;
  let rig: Rig;

  before(async () => {
    origin = await new TestOrigin().start();
  });
  after(async () => {
    await origin.close();
  });

  async function fresh(overrides = {}): Promise<Rig> {
    rig = await makeRig({ overrides });
    return rig;
  }

  async function fileOf(rec: { folder: string; name: string | null }): Promise<Buffer> {
    return readFile(join(rec.folder, rec.name!));
  }

  /**
   * Downloads `path` on a rig of its own and lets the rig go before the caller judges: a failed assertion then fails
   * at once, with nothing left open. The file's bytes come back when it completed.
   */
  async function downloadOnce(path: string, overrides: object): Promise<{ rec: DownloadRecord; saved: Buffer | null }> {
    await fresh(overrides);
    const [rec] = await runDownloads(rig, [{ url: origin.url(path) }]);
    const saved = rec!.status === 'completed' ? await fileOf(rec!) : null;
    await rig.cleanup();
    return { rec: rec!, saved };
  }

  it('saves a file the server codes against the identity asked for as it is sent, in one answer, never in ranges', async () => {
    // A `.tar.gz` labelled `Content-Encoding: gzip`, ranges and all: its bytes are saved as they come.
    const data = origin.file('/labelled.tar.gz', 3 * MIB + 7, { contentEncoding: 'gzip' });
    const { rec, saved } = await downloadOnce('/labelled.tar.gz', { segments: 8 });
    assert.equal(rec.status, 'completed', JSON.stringify(rec.error));
    assert.equal(sha256(saved!), sha256(data));
    assert.equal(rec.acceptRanges, false, 'not resumable: another answer may code it otherwise');
    const ranged = origin.requests('/labelled.tar.gz').filter((l) => l.method === 'GET' && l.range);
    assert.deepEqual(ranged, [], 'no part of it asked for in a range');
  });

  it('downloads a file whose HEAD gives another size than its GETs, by the GETs', async () => {
    const data = origin.file('/head-lies.bin', 8 * MIB, { claimSize: MIB });
    const { rec, saved } = await downloadOnce('/head-lies.bin', { segments: 4 });
    assert.equal(rec.status, 'completed', JSON.stringify(rec.error));
    assert.equal(sha256(saved!), sha256(data));
    assert.equal(origin.requests('/head-lies.bin').filter((l) => l.method === 'HEAD').length, 1, 'HEAD is not asked again once it misled');
  });

  it('shows an expected size while a download waits, and downloads the size the server gives', async () => {
    const data = origin.file('/expected.bin', 2 * MIB + 3);
    await fresh({ segments: 4 });
    const [wrong] = await rig.engine.add([{ url: origin.url('/missing-size.bin'), expectedSize: -1 }]);
    assert.equal(wrong!.ok, false);
    assert.equal((wrong as { error: { code: string } }).error.code, 'INVALID_OPTION');
    // A size seen earlier that the file no longer has: the row shows it until the server answers.
    const [added] = await rig.engine.add([{ url: origin.url('/expected.bin'), expectedSize: MIB }]);
    const id = (added as { id: number }).id;
    const waiting = rig.repo.get(id)!;
    rig.engine.start();
    await rig.engine.whenSettled([id]);
    const done = rig.repo.get(id)!;
    const saved = done.status === 'completed' ? await fileOf(done) : null;
    await rig.cleanup();
    assert.equal(waiting.size, MIB);
    assert.equal(done.status, 'completed', JSON.stringify(done.error));
    assert.equal(done.size, data.length);
    assert.equal(sha256(saved!), sha256(data));
  });

  it('downloads a file in parallel segments, byte-identical', async () => {
    const data = origin.file('/seg.bin', 20 * MIB + 12345);
    await fresh({ segments: 8 });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/seg.bin') }]);
    assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
    assert.equal(rec!.name, 'seg.bin');
    assert.equal(sha256(await fileOf(rec!)), sha256(data));
    const ranges = origin.requests('/seg.bin').filter((l) => l.method === 'GET' && l.status === 206);
    assert.ok(ranges.length >= 8, `expected at least 8 ranged GETs, saw ${ranges.length}`);
    assert.ok(!existsSync(join(rec!.folder, 'seg.bin.part')), 'the .part file is gone');
    await rig.cleanup();
  });

  it('keeps every connection busy: a finished connection takes half of the slowest segment', async () => {
    // The connection at byte 0 runs at an eighth of the others' speed: without stealing it would be a long tail.
    const data = origin.file('/steal.bin', 16 * MIB, { rate: 8 * MIB, rangeRate: (start) => (start === 0 ? MIB : undefined) });
    await fresh({ segments: 4 });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/steal.bin') }]);
    assert.equal(rec!.status, 'completed');
    assert.equal(sha256(await fileOf(rec!)), sha256(data));
    const gets = origin.requests('/steal.bin').filter((l) => l.method === 'GET' && l.range && l.range !== 'bytes=0-0');
    assert.ok(gets.length > 4, `stealing should open more than the 4 planned ranges, saw ${gets.length}`);
    // The slow first segment (planned 0–4 MiB) lost its second half to a faster connection.
    const stolen = gets.filter((l) => Number(/bytes=(\d+)-/.exec(l.range!)![1]) > 0 && Number(/bytes=(\d+)-/.exec(l.range!)![1]) < 4 * MIB);
    assert.ok(stolen.length >= 1, 'a range inside the slow segment was taken over');
    await rig.cleanup();
  });

  it('falls back to one stream when the server ignores Range', async () => {
    const data = origin.file('/norange.bin', 3 * MIB, { ignoreRange: true });
    await fresh();
    const [rec] = await runDownloads(rig, [{ url: origin.url('/norange.bin') }]);
    assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
    assert.equal(sha256(await fileOf(rec!)), sha256(data));
    await rig.cleanup();
  });

  it('survives a server that advertises ranges but answers 200 to them', async () => {
    const data = origin.file('/liar.bin', 4 * MIB, { lieAboutRanges: true });
    await fresh({ segments: 4 });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/liar.bin') }]);
    assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
    assert.equal(sha256(await fileOf(rec!)), sha256(data));
    assert.equal(rec!.acceptRanges, false, 'it restarted as one stream');
    await rig.cleanup();
  });

  it('resumes after connections drop mid-body', async () => {
    const data = origin.file('/drop.bin', 6 * MIB, { dropAfter: 300_000, dropTimes: 6 });
    await fresh({ segments: 4 });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/drop.bin') }]);
    assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
    assert.equal(sha256(await fileOf(rec!)), sha256(data));
    assert.ok(rec!.retries >= 1, 'drops were retried');
    assert.ok(rec!.retryLog.length >= 1, 'each retry is remembered');
    assert.equal(rec!.retryLog[0]!.code, 'NETWORK_ERROR');
    await rig.cleanup();
  });

  it('aborts a stalled connection after the stall timeout and resumes', async () => {
    const data = origin.file('/stall.bin', 3 * MIB, { stallAfter: 200_000, stallTimes: 2 });
    await fresh({ segments: 2 });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/stall.bin') }]);
    assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
    assert.equal(sha256(await fileOf(rec!)), sha256(data));
    await rig.cleanup();
  });

  it('never splices two versions when the file changes between requests', async () => {
    origin.file('/change.bin', 6 * MIB, { changeAfter: 2, rate: 8 * MIB });
    await fresh({ segments: 4 });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/change.bin') }]);
    assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
    assert.equal(sha256(await fileOf(rec!)), sha256(origin.current('/change.bin')), 'the whole file is the new version');
    assert.equal(rec!.etag, '"v2-6291456"');
    const ifRanges = origin.requests('/change.bin').filter((l) => l.ifRange);
    assert.ok(ifRanges.length > 0, 'ranged requests carry If-Range');
    await rig.cleanup();
  });

  it('writes nothing from a wrong Content-Range and retries', async () => {
    const data = origin.file('/wrongcr.bin', 2 * MIB, { wrongRangeTimes: 2 });
    await fresh({ segments: 2 });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/wrongcr.bin') }]);
    assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
    assert.equal(sha256(await fileOf(rec!)), sha256(data));
    await rig.cleanup();
  });

  it('fails with BAD_RESPONSE when the Content-Range is always wrong', async () => {
    origin.file('/alwayswrong.bin', 2 * MIB, { wrongRangeTimes: 1000 });
    await fresh({ segments: 2 });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/alwayswrong.bin') }]);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'BAD_RESPONSE');
    assert.match(rec!.error!.message, /wrong range/);
    await rig.cleanup();
  });

  it('falls back to one stream when the server answers every range from the file\'s start', async () => {
    const data = origin.file('/fromstart.bin', 2 * MIB, { rangeFromStart: true });
    await fresh({ segments: 4 });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/fromstart.bin') }]);
    assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
    assert.equal(sha256(await fileOf(rec!)), sha256(data));
    // Not a server turning connections away: no limit is learned from it.
    assert.deepEqual(rig.repo.loadHostLimits(), []);
    await rig.cleanup();
  });

  it('honours Retry-After on 429', async () => {
    const data = origin.file('/busy.bin', MIB, { tooManyTimes: 1, retryAfter: '1' });
    await fresh({ segments: 1 });
    const started = Date.now();
    const [rec] = await runDownloads(rig, [{ url: origin.url('/busy.bin') }]);
    assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
    assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
    assert.equal(sha256(await fileOf(rec!)), sha256(data));
    await rig.cleanup();
  });

  it('fails clearly when Retry-After is absurd instead of hanging', async () => {
    origin.file('/later.bin', MIB, { tooManyTimes: 100, retryAfter: '86400' });
    await fresh({ segments: 1 });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/later.bin') }]);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'RETRY_AFTER_TOO_LONG');
    await rig.cleanup();
  });

  it('follows redirects and drops custom headers when the host changes', async () => {
    const other = await new TestOrigin().start();
    try {
      const data = other.file('/target.bin', MIB);
      origin.redirect('/moved.bin', other.url('/target.bin'));
      await fresh({ segments: 1 });
      const [rec] = await runDownloads(rig, [{ url: origin.url('/moved.bin'), options: { headers: { 'X-Api-Key': 'secret' } } }]);
      assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
      assert.equal(sha256(await fileOf(rec!)), sha256(data));
      assert.equal(rec!.finalUrl, other.url('/target.bin'));
      assert.ok(origin.requests('/moved.bin').every((l) => l.headers['x-api-key'] === 'secret'), 'the first origin gets its header');
      assert.ok(other.requests('/target.bin').length > 0);
      assert.ok(other.requests('/target.bin').every((l) => l.headers['x-api-key'] === undefined), 'the other host never sees it');
    } finally {
      await other.close();
    }
    await rig.cleanup();
  });

  it('sends URL credentials to their own origin on every request, and never to another host', async () => {
    const data = origin.file('/private.bin', 4 * MIB, { basicAuth: 'user:pass' });
    await fresh({ segments: 4 });
    const url = origin.url('/private.bin').replace('http://', 'http://user:pass@');
    const [rec] = await runDownloads(rig, [{ url }]);
    assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
    assert.equal(sha256(await fileOf(rec!)), sha256(data));
    assert.ok(origin.requests('/private.bin').filter((l) => l.method === 'GET').length >= 4);
    await rig.cleanup();

    const other = await new TestOrigin().start();
    try {
      other.file('/elsewhere.bin', MIB);
      origin.redirect('/to-other', other.url('/elsewhere.bin'));
      await fresh({ segments: 2 });
      const [moved] = await runDownloads(rig, [{ url: origin.url('/to-other').replace('http://', 'http://user:pass@') }]);
      assert.equal(moved!.status, 'completed', JSON.stringify(moved!.error));
      assert.ok(other.requests('/elsewhere.bin').length > 0);
      assert.ok(other.requests('/elsewhere.bin').every((l) => l.headers.authorization === undefined), 'no credentials to another host');
    } finally {
      await other.close();
    }
    await rig.cleanup();
  });

  it('keeps the headers that decide which bytes come to itself: a user Range or Accept-Encoding is not sent', async () => {
    const data = origin.file('/own-range.bin', 4 * MIB);
    const rig = await makeRig({ overrides: { segments: 4 } });
    const headers = { Range: 'bytes=0-9', 'Accept-Encoding': 'gzip', 'X-Token': 'kept' };
    const [rec] = await runDownloads(rig, [{ url: origin.url('/own-range.bin'), options: { headers } }]);
    await assertCompletedWith(rec!, data);
    const gets = origin.requests('/own-range.bin').filter((r) => r.method === 'GET');
    assert.ok(gets.every((r) => r.headers['x-token'] === 'kept' && r.headers['accept-encoding'] === 'identity' && r.range !== 'bytes=0-9'), JSON.stringify(gets.map((r) => r.range)));
    await rig.cleanup();
  });

  it('refuses an absurd Content-Length with the space check instead of allocating', async () => {
    origin.file('/absurd.bin', 1000, { claimSize: 2 ** 50 });
    await fresh();
    const [rec] = await runDownloads(rig, [{ url: origin.url('/absurd.bin') }]);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'NOT_ENOUGH_DISK_SPACE');
    assert.deepEqual(existsSync(join(rig.dir, 'files')) ? readdirSync(join(rig.dir, 'files')) : [], []);
    await rig.cleanup();
  });

  it('fails a redirect loop with TOO_MANY_REDIRECTS', async () => {
    origin.redirect('/loop-a', '/loop-b');
    origin.redirect('/loop-b', '/loop-a');
    await fresh();
    const [rec] = await runDownloads(rig, [{ url: origin.url('/loop-a') }]);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'TOO_MANY_REDIRECTS');
    await rig.cleanup();
  });

  it('fails a redirect to another scheme at once, as UNSUPPORTED_SCHEME, without retrying', async () => {
    origin.redirect('/to-ftp', 'ftp://127.0.0.1/file.bin');
    await fresh();
    const [rec] = await runDownloads(rig, [{ url: origin.url('/to-ftp') }]);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'UNSUPPORTED_SCHEME', rec!.error?.message);
    assert.match(rec!.error!.message, /redirected to a scheme Braid does not download.*ftp:/);
    assert.equal(rec!.retries, 0);
    await rig.cleanup();
  });

  it('keeps hostile Content-Disposition names inside the folder and never overwrites', async () => {
    origin.file('/cd1', 1000, { contentDisposition: 'attachment; filename="../../../etc/passwd"' });
    origin.file('/cd2', 1000, { contentDisposition: "attachment; filename*=UTF-8''..%2F..%2Fevil%E2%80%AEtxt.exe" });
    origin.file('/cd3', 1000, { contentDisposition: 'attachment; filename="CON.txt"' });
    origin.file('/cd4', 1000, { contentDisposition: 'attachment; filename="report.pdf"' });
    await fresh();
    const folder = join(rig.dir, 'files');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'report.pdf'), 'keep me');
    const recs = await runDownloads(rig, ['/cd1', '/cd2', '/cd3', '/cd4'].map((p) => ({ url: origin.url(p) })));
    for (const r of recs) assert.equal(r.status, 'completed', JSON.stringify(r.error));
    assert.deepEqual(recs.map((r) => r.name), ['etc_passwd', 'eviltxt.exe', '_CON.txt', 'report (1).pdf']);
    assert.equal(await readFile(join(folder, 'report.pdf'), 'utf8'), 'keep me');
    assert.deepEqual(readdirSync(folder).sort(), ['_CON.txt', 'etc_passwd', 'eviltxt.exe', 'report (1).pdf', 'report.pdf']);
    await rig.cleanup();
  });

  it('fails one download with a clear reason while the others go on', async () => {
    const data = origin.file('/good.bin', 2 * MIB);
    await fresh();
    const [missing, good] = await runDownloads(rig, [{ url: origin.url('/nope.bin') }, { url: origin.url('/good.bin') }]);
    assert.equal(missing!.status, 'failed');
    assert.equal(missing!.error?.code, 'HTTP_ERROR');
    assert.match(missing!.error!.message, /404/);
    assert.equal(good!.status, 'completed');
    assert.equal(sha256(await fileOf(good!)), sha256(data));
    await rig.cleanup();
  });

  it('verifies a checksum and fails a wrong one', async () => {
    const data = origin.file('/sum.bin', MIB);
    await fresh();
    const good = `${sha256(data)}`;
    const [ok, bad] = await runDownloads(rig, [
      { url: origin.url('/sum.bin'), options: { checksum: { algorithm: 'sha-256', hex: good } } },
      { url: origin.url('/sum.bin'), name: 'other.bin', options: { checksum: { algorithm: 'sha-256', hex: '0'.repeat(64) } } },
    ]);
    assert.equal(ok!.status, 'completed');
    assert.equal(bad!.status, 'failed');
    assert.equal(bad!.error?.code, 'CHECKSUM_ERROR');
    await rig.cleanup();
  });

  it('downloads a body of unknown length (chunked, no ranges)', async () => {
    const data = origin.file('/chunked.bin', 1_500_000, { chunked: true, ignoreRange: true });
    await fresh();
    const [rec] = await runDownloads(rig, [{ url: origin.url('/chunked.bin') }]);
    assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
    assert.equal(rec!.size, data.length);
    assert.equal(sha256(await fileOf(rec!)), sha256(data));
    await rig.cleanup();
  });

  it('probes with a ranged GET when HEAD is refused', async () => {
    const data = origin.file('/nohead.bin', 3 * MIB, { refuseHead: true });
    await fresh({ segments: 3 });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/nohead.bin') }]);
    assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
    assert.equal(rec!.acceptRanges, true);
    assert.equal(sha256(await fileOf(rec!)), sha256(data));
    await rig.cleanup();
  });
});
