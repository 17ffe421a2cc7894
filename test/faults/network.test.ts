import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertCompletedWith, makeRig, runDownloads } from '../support/harness';
import { TestOrigin } from '../support/origin';
import { canMakeCertificates, makeCertificate } from '../support/test-certificate';

const MIB = 1024 * 1024;

/** A port with nothing listening: bound once to learn a free number, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('network faults: complete and byte-identical, or failed with a reason — never wrong bytes, never hung', () => {
  let origin: TestOrigin;
  before(async () => {
    origin = await new TestOrigin().start();
  });
  after(async () => {
    await origin.close();
  });

  it('recovers from servers that close right after the headers', async () => {
    const data = origin.file('/headers-only.bin', 3 * MIB, { dropAfter: 0, dropTimes: 5 });
    const rig = await makeRig({ overrides: { segments: 3 } });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/headers-only.bin') }]);
    await assertCompletedWith(rec!, data);
    await rig.cleanup();
  });

  it('recovers from connections reset (TCP RST) mid-body', async () => {
    const data = origin.file('/reset.bin', 4 * MIB, { dropAfter: 300 * 1024, dropTimes: 6, dropWithReset: true });
    const rig = await makeRig({ overrides: { segments: 4 } });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/reset.bin') }]);
    await assertCompletedWith(rec!, data);
    assert.ok(rec!.retryLog.some((r) => /ECONNRESET|connection lost/.test(r.message)), JSON.stringify(rec!.retryLog));
    await rig.cleanup();
  });

  it('never calls a truncated chunked body done', async () => {
    origin.file('/truncated.bin', 2 * MIB, { chunked: true, ignoreRange: true, dropAfter: MIB, dropTimes: 1000 });
    const rig = await makeRig();
    const [rec] = await runDownloads(rig, [{ url: origin.url('/truncated.bin') }]);
    assert.equal(rec!.status, 'failed');
    assert.ok(rec!.error && rec!.error.message.length > 10, `a reason: ${JSON.stringify(rec!.error)}`);
    console.log(`# truncated chunked body: ${rec!.error!.code}: ${rec!.error!.message}`);
    assert.equal(rec!.error!.code, 'CANNOT_RESUME');
    assert.match(rec!.error!.message, /, and the server cannot resume; started over 3 times$/);
    assert.ok(!existsSync(join(rec!.folder, rec!.name ?? 'truncated.bin')), 'no final file with missing bytes');
    await rig.cleanup();
  });

  it('starts over no more often than the attempts allowed in a row', async () => {
    origin.file('/truncated-few.bin', 2 * MIB, { chunked: true, ignoreRange: true, dropAfter: MIB, dropTimes: 1000 });
    const rig = await makeRig({ timing: { retry: { maxAttempts: 1, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5000 } } });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/truncated-few.bin') }]);
    assert.equal(rec!.status, 'failed');
    assert.match(rec!.error!.message, /started over 1 time$/);
    await rig.cleanup();
  });

  it('recovers from a truncated chunked body once the server behaves', async () => {
    const data = origin.file('/truncated-once.bin', 2 * MIB, { chunked: true, ignoreRange: true, dropAfter: MIB, dropTimes: 1 });
    const rig = await makeRig();
    const [rec] = await runDownloads(rig, [{ url: origin.url('/truncated-once.bin') }]);
    await assertCompletedWith(rec!, data);
    await rig.cleanup();
  });

  it('rides out a burst of 503s, saying it retries only until bytes come again', async () => {
    const data = origin.file('/burst.bin', 2 * MIB, { burstStatus: 503, burstTimes: 4, rate: 2 * MIB });
    // Waits long enough between tries that a snapshot falls while the 503s last.
    const rig = await makeRig({ overrides: { segments: 2 }, timing: { retry: { maxAttempts: 4, baseDelayMs: 600, maxDelayMs: 1200, maxRetryAfterMs: 5000 } } });
    const seen: { error: boolean; bytesDone: number }[] = [];
    rig.engine.onEvent((event) => {
      if (event.type !== 'snapshot') return;
      for (const d of event.downloads) if (d.status === 'active') seen.push({ error: d.error !== null, bytesDone: d.bytesDone });
    });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/burst.bin') }]);
    await assertCompletedWith(rec!, data);
    assert.ok(seen.some((s) => s.error), 'the 503s were shown while they lasted');
    assert.ok(seen.filter((s) => s.bytesDone > MIB).every((s) => !s.error), 'not once bytes came again');
    await rig.cleanup();
  });

  it('fails a server that keeps answering 500 with the status in plain words', async () => {
    origin.file('/broken.bin', MIB, { status: 500 });
    const rig = await makeRig();
    const [rec] = await runDownloads(rig, [{ url: origin.url('/broken.bin') }]);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'HTTP_ERROR');
    assert.match(rec!.error!.message, /500 Internal Server Error.*gave up after \d+ attempts/);
    assert.equal(rec!.error?.status, 500, 'the status is kept with the failure, past the retries');
    await rig.cleanup();
  });

  it('fails a redirect to an address that is not a URL as a bad answer, without asking again', async () => {
    origin.redirect('/bad-redirect.bin', 'http://[::1');
    const rig = await makeRig();
    const [rec] = await runDownloads(rig, [{ url: origin.url('/bad-redirect.bin') }]);
    await rig.cleanup();
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'BAD_RESPONSE', rec!.error?.message);
    assert.match(rec!.error!.message, /redirected to an address that is not a URL/);
    assert.doesNotMatch(rec!.error!.message, /gave up after/, 'not retried: the same question gets the same redirect');
  });

  it('cuts a slow-loris trickle that is never quite silent, and fails it with the reason', async () => {
    // One byte every 100 ms never trips the 400 ms stall timeout; the minimum rate over the window does.
    origin.file('/loris.bin', MIB, { trickleEveryMs: 100 });
    const rig = await makeRig({ overrides: { segments: 2 } });
    const started = Date.now();
    const [rec] = await runDownloads(rig, [{ url: origin.url('/loris.bin') }]);
    console.log(`# slow-loris: ${rec!.status} after ${((Date.now() - started) / 1000).toFixed(1)} s: ${rec!.error?.message}`);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'TIMEOUT');
    assert.match(rec!.error!.message, /the server trickled .* below the 1 KiB\/s Braid waits for/);
    await rig.cleanup();
  });

  it('does not call a slow server a trickle when the download as a whole is fast enough', async () => {
    // Scaled up so it runs quickly: each of 2 connections brings 400 KiB/s, under a 512 KiB/s minimum on its
    // own but well over it together (a busy machine slows the origin's pacing too).
    const data = origin.file('/slow-but-fine.bin', 2 * MIB, { rate: 400 * 1024 });
    const rig = await makeRig({ overrides: { segments: 2 }, timing: { minBytesPerSecond: 512 * 1024 } });
    try {
      const [rec] = await runDownloads(rig, [{ url: origin.url('/slow-but-fine.bin') }]);
      await assertCompletedWith(rec!, data);
      assert.deepEqual(rec!.retryLog, [], 'no connection was cut');
    } finally {
      await rig.cleanup();
    }
  });

  it('completes byte-identical once a trickling server sends at speed', async () => {
    const data = origin.file('/loris-once.bin', 2 * MIB, { trickleEveryMs: 100, trickleTimes: 2 });
    const rig = await makeRig({ overrides: { segments: 2 } });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/loris-once.bin') }]);
    await assertCompletedWith(rec!, data);
    await rig.cleanup();
  });

  it('gives up on a server that accepts the connection and never answers, with the reason', async () => {
    // A raw TCP server that reads the request and says nothing: only the first-byte deadline ends it.
    const silent = createServer((socket) => socket.on('data', () => undefined));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    const rig = await makeRig({ timing: { firstByteTimeoutMs: 300, retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 50, maxRetryAfterMs: 1000 } } });
    const started = Date.now();
    const [rec] = await runDownloads(rig, [{ url: `http://127.0.0.1:${port}/silent.bin` }]);
    console.log(`# silent server: ${rec!.status} after ${((Date.now() - started) / 1000).toFixed(1)} s: ${rec!.error?.message}`);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'TIMEOUT');
    assert.match(rec!.error!.message, /did not answer in time/);
    await rig.cleanup();
    await new Promise((r) => silent.close(r));
  });

  it('fails connection refused clearly', async () => {
    const port = await closedPort();
    const rig = await makeRig();
    const [rec] = await runDownloads(rig, [{ url: `http://127.0.0.1:${port}/x.bin` }]);
    assert.equal(rec!.status, 'failed');
    assert.equal(rec!.error?.code, 'NETWORK_ERROR');
    assert.match(rec!.error!.message, /connection refused/);
    await rig.cleanup();
  });

  it('does not ask again with a GET a server its HEAD could not reach (a certificate refused)', { skip: canMakeCertificates() ? false : 'no openssl' }, async () => {
    // Falling back to a GET is for servers that botch HEAD; a server Braid cannot reach fails a GET the same way,
    // and a dead host's connect deadline would be waited out twice per attempt.
    let connections = 0;
    const untrusted = createTlsServer(makeCertificate('IP:127.0.0.1'), (socket) => socket.end());
    untrusted.on('connection', () => connections++);
    untrusted.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => untrusted.listen(0, '127.0.0.1', r));
    const { port } = untrusted.address() as { port: number };
    const rig = await makeRig();
    const [rec] = await runDownloads(rig, [{ url: `https://127.0.0.1:${port}/x.bin` }]);
    assert.equal(rec!.status, 'failed');
    assert.match(rec!.error!.message, /certificate was refused/);
    assert.match(rec!.error!.message, /give Braid that certificate in NODE_EXTRA_CA_CERTS=FILE/);
    assert.equal(connections, 1, 'one connection: the HEAD, no GET after it');
    await rig.cleanup();
    await new Promise((r) => untrusted.close(r));
  });
});
