import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertCompletedWith, makeRig, runDownloads } from '../support/harness';
import { sha256, TestOrigin } from '../support/origin';

const MIB = 1024 * 1024;

describe('servers that give nothing to check a file with, or say "later" to the first request', () => {
  let origin: TestOrigin;
  before(async () => {
    origin = await new TestOrigin().start();
  });
  after(async () => {
    await origin.close();
  });

  it('a file changed mid-download by a server with no ETag or Last-Modified is never spliced', async () => {
    // Four connections: the first two answers carry the old bytes, every later one the new (same size).
    origin.file('/changing.bin', 8 * MIB, { noValidators: true, changeAfter: 2 });
    const rig = await makeRig({ overrides: { segments: 4 } });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/changing.bin') }]);
    const now = origin.current('/changing.bin');
    if (rec!.status === 'completed') {
      const onDisk = await readFile(join(rec!.folder, rec!.name!));
      assert.equal(sha256(onDisk), sha256(now), 'a completed file holds one version whole');
    } else {
      assert.equal(rec!.status, 'failed');
      assert.equal(existsSync(join(rec!.folder, 'changing.bin')), false, 'no final file from a failure');
    }
    assert.equal(rec!.status, 'completed', 'it starts over once the change is seen, and the file is stable after');
    const seamReads = origin.requests('/changing.bin').filter((r) => r.range && /^bytes=\d+-\d+$/.test(r.range) && rangeLength(r.range) <= 8192);
    console.log(`# seam windows re-read: ${seamReads.length}, ${rec!.retryLog.map((r) => r.message).join(' | ')}`);
    assert.ok(rec!.retryLog.some((r) => /changed on the server while it was downloaded/.test(r.message)), 'the change was seen at a seam');
    await rig.cleanup();
  });

  it('a stable server without validators costs a few KiB per seam, and completes', async () => {
    const data = origin.file('/stable.bin', 8 * MIB, { noValidators: true });
    const rig = await makeRig({ overrides: { segments: 4 } });
    const sentBefore = origin.bytesSent;
    const [rec] = await runDownloads(rig, [{ url: origin.url('/stable.bin') }]);
    await assertCompletedWith(rec!, data);
    const extra = origin.bytesSent - sentBefore - data.length;
    console.log(`# bytes re-read at seams: ${extra} for ${origin.requests('/stable.bin').filter((r) => r.method === 'GET').length - 4} windows`);
    assert.ok(extra > 0, 'the seams were read again');
    assert.ok(extra <= 16 * 8192, `at most a few KiB per seam, read ${extra}`);
    await rig.cleanup();
  });

  it('re-reads the seams of a slow server side by side, not one round trip after another', async () => {
    // Eight segment requests, then seven seam windows, each answered 400 ms late: one after another they take 2.8 s.
    const data = origin.file('/slow-seams.bin', 16 * MIB, { noValidators: true, slowAnswerMs: 400, slowAnswerAfter: 8 });
    const rig = await makeRig({ overrides: { segments: 8 } });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/slow-seams.bin') }]);
    await assertCompletedWith(rec!, data);
    const windows = origin.requests('/slow-seams.bin').filter((r) => r.method === 'GET' && r.range && rangeLength(r.range) <= 8192);
    assert.equal(windows.length, 7, 'one window per seam');
    const span = windows[windows.length - 1]!.at - windows[0]!.at;
    console.log(`# seven seam windows asked for within ${span} ms of each other`);
    // Four at once: the last three follow the first answers, 0.4 s in; one after another the last would be 2.4 s in.
    assert.ok(span < 800, `the last window was asked for ${span} ms after the first: they waited for each other`);
    await rig.cleanup();
  });

  it('a 503 to a seam re-read is retried like any other answer, not a failure of Braid', async () => {
    // Four segment requests, then the seam windows: the first window is answered 503 once.
    const data = origin.file('/seam-503.bin', 8 * MIB, { noValidators: true, burstStatus: 503, burstAfter: 4, burstTimes: 1 });
    const rig = await makeRig({ overrides: { segments: 4 } });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/seam-503.bin') }]);
    await assertCompletedWith(rec!, data);
    assert.ok(rec!.retryLog.some((r) => /503/.test(r.message)), JSON.stringify(rec!.retryLog));
    await rig.cleanup();
  });

  it('honours a 429 with Retry-After to the HEAD probe before sending anything else', async () => {
    const data = origin.file('/later.bin', 2 * MIB, { tooManyHead: true, tooManyTimes: 1, retryAfter: '1' });
    const rig = await makeRig({ timing: { retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5000 } } });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/later.bin') }]);
    await assertCompletedWith(rec!, data);
    const log = origin.requests('/later.bin');
    assert.equal(log[0]!.method, 'HEAD');
    assert.equal(log[0]!.status, 429);
    const next = log[1]!;
    assert.ok(next.at - log[0]!.at >= 950, `the next request came ${next.at - log[0]!.at} ms after the 429, Retry-After said 1 s`);
    await rig.cleanup();
  });

  it('honours a 429 with an HTTP-date Retry-After to the probe', async () => {
    const data = origin.file('/later-date.bin', 2 * MIB, { tooManyHead: true, tooManyTimes: 1, retryAfter: new Date(Date.now() + 2000).toUTCString() });
    const rig = await makeRig();
    const [rec] = await runDownloads(rig, [{ url: origin.url('/later-date.bin') }]);
    await assertCompletedWith(rec!, data);
    const log = origin.requests('/later-date.bin');
    assert.equal(log[0]!.status, 429);
    assert.ok(log[1]!.at - log[0]!.at >= 500, `waited ${log[1]!.at - log[0]!.at} ms for a date about 1–2 s ahead`);
    await rig.cleanup();
  });
});

function rangeLength(range: string): number {
  const m = /^bytes=(\d+)-(\d+)$/.exec(range)!;
  return Number(m[2]) - Number(m[1]) + 1;
}
