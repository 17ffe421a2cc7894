import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { toBraidError } from '../../electron/engine/errors';
import { ConnectionPool, originOf, type ConnectionPoolOptions } from '../../electron/engine/receive/connection-pool';
import { NotForFastPath } from '../../electron/engine/receive/errors';
import { openRange, type RangeRequestOptions } from '../../electron/engine/receive/range-request';
import { RangeOrigin } from '../support/range-origin';
import { canMakeCertificates, makeCertificate, type TestCertificate } from '../support/test-certificate';

/** Receives a whole body into one Buffer (what a segment's pooled buffers would hold, in order). */
async function fetchRange(pool: ConnectionPool, url: string, first: number, last: number, maxBytes = last - first + 1, options: Partial<RangeRequestOptions> = {}) {
  const response = await openRange(pool, { url, headers: { range: `bytes=${first}-${last}` }, firstByteTimeoutMs: 5000, ...options });
  const parts: Buffer[] = [];
  const end = await response.receive((b, s, e) => parts.push(Buffer.from(b.subarray(s, e))), maxBytes);
  return { response, end, body: Buffer.concat(parts) };
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A TCP server that answers every request with the same raw bytes, for answers Node's server cannot make. */
async function rawServer(answer: string | ((socket: Socket) => void)): Promise<{ server: Server; url: (path: string) => string }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => (typeof answer === 'string' ? socket.end(answer, 'latin1') : answer(socket)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { server, url: (path) => `http://127.0.0.1:${port}${path}` };
}

describe('receive path over http', () => {
  let origin: RangeOrigin;
  const pools: ConnectionPool[] = [];
  const poolOf = (options: ConnectionPoolOptions = {}) => {
    const pool = new ConnectionPool(options);
    pools.push(pool);
    return pool;
  };

  before(async () => {
    origin = await new RangeOrigin().start();
  });
  afterEach(async () => {
    for (const pool of pools.splice(0)) {
      pool.close();
      await until(() => pool.openSockets === 0);
    }
    await origin.drained();
  });
  after(() => origin.close());

  it('reuses one kept-alive connection for several ranged requests', async () => {
    const data = origin.file('/reuse.bin', 3_000_000);
    const pool = poolOf({ maxPerOrigin: 1 });
    const before = origin.connections;
    const ranges = [[0, 999_999], [1_000_000, 1_999_999], [2_000_000, 2_999_999], [17, 17]] as const;
    for (const [i, [first, last]] of ranges.entries()) {
      const { response, end, body } = await fetchRange(pool, origin.url('/reuse.bin'), first, last);
      assert.equal(response.head.statusCode, 206);
      assert.equal(response.head.headers['content-range'], `bytes ${first}-${last}/3000000`);
      assert.deepEqual(end, { complete: true, bytes: last - first + 1 });
      assert.ok(body.equals(data.subarray(first, last + 1)));
      assert.equal(response.reusedConnection, i > 0);
    }
    assert.equal(origin.connections - before, 1, 'the server saw one connection');
    assert.equal(pool.idleCount, 1);
    assert.equal(pool.openSockets, 1);
  });

  it('allocates nothing per read: buffer memory stays flat over a 64 MiB body', async () => {
    origin.file('/flat.bin', 64 * 1024 * 1024);
    const pool = poolOf();
    await fetchRange(pool, origin.url('/flat.bin'), 0, 1000); // the connection and its buffers exist from here
    const response = await openRange(pool, { url: origin.url('/flat.bin'), firstByteTimeoutMs: 5000 });
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    let reads = 0;
    const end = await response.receive(() => {
      reads++;
      if (reads % 16 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 64 * 1024 * 1024);
    assert.ok(end.complete);
    // A stream would have allocated a fresh buffer per read: some 1,000 of 64 KiB, tens of MiB before a collection.
    assert.ok(peak - before < 4 * 1024 * 1024, `array buffers grew by ${((peak - before) / 2 ** 20).toFixed(1)} MiB over ${reads} reads`);
  });

  it('sends Range, If-Range, the user headers, Host and Accept-Encoding: identity', async () => {
    origin.file('/headers.bin', 10);
    const pool = poolOf();
    await fetchRange(pool, origin.url('/headers.bin'), 2, 5, 4, { headers: { range: 'bytes=2-5', 'if-range': '"v1"', 'x-api-key': 'k' } });
    const seen = origin.requests.at(-1)!.headers;
    assert.equal(seen.range, 'bytes=2-5');
    assert.equal(seen['if-range'], '"v1"');
    assert.equal(seen['x-api-key'], 'k');
    assert.equal(seen.host, `127.0.0.1:${origin.port}`);
    assert.equal(seen['accept-encoding'], 'identity');
    await assert.rejects(openRange(pool, { url: origin.url('/headers.bin'), headers: { 'x-evil': 'a\r\nx-injected: 1' }, firstByteTimeoutMs: 1000 }), { code: 'ERR_INVALID_CHAR' });
  });

  it('reads a chunked body and keeps the connection', async () => {
    const data = origin.file('/chunked.bin', 300_000, { chunked: true });
    const pool = poolOf({ maxPerOrigin: 1 });
    const first = await fetchRange(pool, origin.url('/chunked.bin'), 0, 299_999);
    assert.equal(first.response.head.framing, 'chunked');
    assert.ok(first.end.complete);
    assert.ok(first.body.equals(data));
    const second = await fetchRange(pool, origin.url('/chunked.bin'), 5, 9);
    assert.ok(second.response.reusedConnection);
    assert.ok(second.body.equals(data.subarray(5, 10)));
  });

  it('hands no body byte on before the caller asks, and never more than it accepts', async () => {
    const data = origin.file('/limit.bin', 50_000);
    const pool = poolOf();
    const response = await openRange(pool, { url: origin.url('/limit.bin'), headers: { range: 'bytes=0-49999' }, firstByteTimeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 20)); // the body is all there by now
    assert.equal(response.delivered, 0);
    const parts: Buffer[] = [];
    const end = await response.receive((b, s, e) => parts.push(Buffer.from(b.subarray(s, e))), 1000);
    assert.deepEqual(end, { complete: false, bytes: 1000 });
    assert.ok(Buffer.concat(parts).equals(data.subarray(0, 1000)));
    assert.equal(pool.openSockets, 1, 'the whole body had arrived: the connection is kept');
  });

  it('stops at a limit lowered while receiving (work stealing), and closes the connection', async () => {
    const data = origin.file('/steal.bin', 8_000_000, { rate: 20_000_000 });
    const pool = poolOf();
    const response = await openRange(pool, { url: origin.url('/steal.bin'), headers: { range: 'bytes=0-7999999' }, firstByteTimeoutMs: 5000 });
    const parts: Buffer[] = [];
    const end = await response.receive((b, s, e) => {
      parts.push(Buffer.from(b.subarray(s, e)));
      // Another connection took the second half of this segment while the first read was being copied.
      response.setLimit(123_457);
    }, 8_000_000);
    assert.deepEqual(end, { complete: false, bytes: 123_457 });
    assert.ok(Buffer.concat(parts).equals(data.subarray(0, 123_457)));
    await until(() => pool.openSockets === 0);
    await origin.drained();
    assert.equal(origin.openConnections, 0, 'the server saw the connection close');
  });

  it('stop() keeps the connection only when the body was read to its end', async () => {
    origin.file('/small.bin', 100);
    origin.file('/big.bin', 5_000_000, { rate: 10_000_000 });
    const pool = poolOf();
    const small = await openRange(pool, { url: origin.url('/small.bin'), firstByteTimeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 20));
    small.stop();
    assert.equal(pool.idleCount, 1);
    const big = await openRange(pool, { url: origin.url('/big.bin'), firstByteTimeoutMs: 5000 });
    assert.ok(big.reusedConnection);
    const receiving = big.receive(() => big.stop(), 5_000_000);
    assert.equal((await receiving).complete, false);
    await until(() => pool.openSockets === 0);
  });

  it('pauses and resumes the socket', async () => {
    const data = origin.file('/pause.bin', 2_000_000);
    const pool = poolOf();
    const response = await openRange(pool, { url: origin.url('/pause.bin'), firstByteTimeoutMs: 5000 });
    const parts: Buffer[] = [];
    let paused = false;
    let whilePaused = 0;
    const done = response.receive((b, s, e) => {
      if (paused) whilePaused++;
      parts.push(Buffer.from(b.subarray(s, e)));
      if (!paused && response.delivered > 500_000 && response.delivered < 600_000) {
        paused = true;
        response.pause();
        setTimeout(() => {
          paused = false;
          response.resume();
        }, 50);
      }
    }, 2_000_000);
    const end = await done;
    assert.equal(whilePaused, 0, 'nothing is delivered while paused');
    assert.ok(end.complete);
    assert.ok(Buffer.concat(parts).equals(data));
  });

  it('aborts mid-body: the socket is destroyed and the reason comes back', async () => {
    origin.file('/abort.bin', 5_000_000, { rate: 2_000_000 });
    const pool = poolOf();
    const controller = new AbortController();
    const response = await openRange(pool, { url: origin.url('/abort.bin'), firstByteTimeoutMs: 5000, signal: controller.signal });
    const reason = Object.assign(new Error('stopped (user)'), { code: 'ECONNABORTED' });
    const receiving = response.receive(() => {
      if (response.delivered > 100_000) controller.abort(reason);
    }, 5_000_000);
    await assert.rejects(receiving, (e) => e === reason);
    await until(() => pool.openSockets === 0);
    await origin.drained();
    assert.equal(origin.openConnections, 0);
  });

  it('fails with what a consumer throws, and closes the connection', async () => {
    origin.file('/throw.bin', 1_000_000);
    const pool = poolOf();
    const response = await openRange(pool, { url: origin.url('/throw.bin'), firstByteTimeoutMs: 5000 });
    const disk = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    await assert.rejects(
      response.receive(() => {
        throw disk;
      }, 1_000_000),
      (e) => e === disk,
    );
    await until(() => pool.openSockets === 0);
  });

  it('reports a server that closes mid-body as ECONNRESET (a retryable network error)', async () => {
    origin.file('/drop.bin', 1_000_000, { dropAfter: 300_000 });
    const pool = poolOf();
    const response = await openRange(pool, { url: origin.url('/drop.bin'), firstByteTimeoutMs: 5000 });
    let got = 0;
    const error = await response.receive((_b, s, e) => (got += e - s), 1_000_000).then(
      () => null,
      (e: unknown) => e,
    );
    assert.equal((error as { code?: string }).code, 'ECONNRESET');
    assert.equal(got, 300_000);
    const mapped = toBraidError(error);
    assert.equal(mapped.code, 'NETWORK_ERROR');
    assert.ok(mapped.retryable);
    await until(() => pool.openSockets === 0);
  });

  it('times out a server that never answers (ETIMEDOUT → TIMEOUT) and a body that stalls (abort by deadline)', async () => {
    origin.file('/silent.bin', 10, { silent: true });
    origin.file('/stall.bin', 1_000_000, { stallAfter: 100_000 });
    const pool = poolOf();
    const started = Date.now();
    const error = await openRange(pool, { url: origin.url('/silent.bin'), firstByteTimeoutMs: 150 }).catch((e: unknown) => e);
    assert.equal((error as { code?: string }).code, 'ETIMEDOUT');
    assert.ok(Date.now() - started >= 140);
    assert.equal(toBraidError(error).code, 'TIMEOUT');
    const response = await openRange(pool, { url: origin.url('/stall.bin'), firstByteTimeoutMs: 5000, signal: AbortSignal.timeout(300) });
    let got = 0;
    const stalled = await response.receive((_b, s, e) => (got += e - s), 1_000_000).catch((e: unknown) => e);
    assert.equal((stalled as Error).name, 'TimeoutError');
    assert.equal(got, 100_000);
    assert.equal(toBraidError(stalled).code, 'TIMEOUT');
    await until(() => pool.openSockets === 0);
  });

  it('hands unusual answers back for got: a redirect, a content coding, another transfer coding', async () => {
    origin.file('/moved.bin', 10, { redirect: '/elsewhere' });
    origin.file('/gzip.bin', 10, { headers: { 'content-encoding': 'gzip' } });
    origin.file('/te.bin', 10, { chunked: true, headers: { 'transfer-encoding': 'gzip, chunked' } });
    const pool = poolOf({ maxPerOrigin: 1 });
    for (const path of ['/moved.bin', '/gzip.bin', '/te.bin']) {
      const error = await openRange(pool, { url: origin.url(path), firstByteTimeoutMs: 5000 }).catch((e: unknown) => e);
      assert.ok(error instanceof NotForFastPath, `${path}: ${String(error)}`);
    }
    const moved = await openRange(pool, { url: origin.url('/moved.bin'), firstByteTimeoutMs: 5000 }).catch((e: NotForFastPath) => e);
    assert.equal((moved as NotForFastPath).head?.headers['location'], '/elsewhere');
    await assert.rejects(openRange(pool, { url: 'http://user:pw@127.0.0.1:1/x', firstByteTimeoutMs: 1000 }), NotForFastPath);
    assert.ok(pool.openSockets <= 1, 'a refused answer read to its end keeps its connection, others close');
  });

  it('replaces a kept-alive socket the server dropped, once, without the caller noticing', async () => {
    const data = origin.file('/stale.bin', 1000, { dropSecondRequest: true });
    const pool = poolOf({ maxPerOrigin: 1 });
    await fetchRange(pool, origin.url('/stale.bin'), 0, 999);
    const before = origin.connections;
    const again = await fetchRange(pool, origin.url('/stale.bin'), 0, 999);
    assert.ok(again.body.equals(data));
    assert.equal(again.response.reusedConnection, false);
    assert.equal(origin.connections - before, 1);
  });

  it('bounds the connections per origin; requests beyond wait for a free one', async () => {
    const data = origin.file('/bounded.bin', 2_000_000, { rate: 20_000_000 });
    const pool = poolOf({ maxPerOrigin: 2 });
    const peakBefore = origin.connections;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => fetchRange(pool, origin.url('/bounded.bin'), i * 300_000, i * 300_000 + 299_999)),
    );
    for (const [i, r] of results.entries()) assert.ok(r.body.equals(data.subarray(i * 300_000, (i + 1) * 300_000)));
    assert.equal(origin.connections - peakBefore, 2, 'two connections carried six requests');
    assert.ok(pool.openSockets <= 2);
  });

  it('closes idle connections after the idle timeout and beyond the idle bound', async () => {
    origin.file('/idle.bin', 10);
    const pool = poolOf({ idleTimeoutMs: 100, maxIdle: 2 });
    await Promise.all(Array.from({ length: 4 }, () => fetchRange(pool, origin.url('/idle.bin'), 0, 9)));
    await until(() => pool.idleCount <= 2, 500);
    assert.ok(pool.idleCount <= 2);
    await until(() => pool.openSockets === 0, 1000);
    await origin.drained();
    assert.equal(origin.openConnections, 0);
  });

  it("keeps an idle connection no longer than the server's Keep-Alive timeout, less a second", async () => {
    for (const [timeout, kept] of [[1, false], [2, true]] as const) {
      const raw = await rawServer((socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=${timeout}\r\n\r\nok`));
      try {
        const pool = poolOf();
        const response = await openRange(pool, { url: raw.url('/x'), firstByteTimeoutMs: 1000 });
        await response.receive(() => undefined, 2);
        assert.equal(pool.idleCount, kept ? 1 : 0, `timeout=${timeout}`);
        if (kept) await until(() => pool.idleCount === 0, 1500);
      } finally {
        raw.server.close();
      }
    }
  });

  it('leaves no socket open after close(), busy or idle, and fails waiting requests', async () => {
    origin.file('/close.bin', 3_000_000, { rate: 3_000_000 });
    origin.file('/tiny.bin', 10);
    const pool = poolOf({ maxPerOrigin: 2 });
    await fetchRange(pool, origin.url('/tiny.bin'), 0, 9); // leaves an idle one
    const busy = await openRange(pool, { url: origin.url('/close.bin'), firstByteTimeoutMs: 5000 });
    const receiving = busy.receive(() => undefined, 3_000_000);
    const second = await openRange(pool, { url: origin.url('/close.bin'), firstByteTimeoutMs: 5000 });
    const secondReceiving = second.receive(() => undefined, 3_000_000);
    const waiting = openRange(pool, { url: origin.url('/close.bin'), firstByteTimeoutMs: 5000 });
    pool.close();
    const codes = (await Promise.allSettled([receiving, secondReceiving, waiting])).map((r) => r.status === 'rejected' && (r.reason as { code?: string }).code);
    assert.deepEqual(codes, ['ECONNRESET', 'ECONNRESET', 'ECONNABORTED']);
    await until(() => pool.openSockets === 0);
    assert.equal(pool.originCount, 0, 'nothing kept for the origin');
    await origin.drained();
    assert.equal(origin.openConnections, 0);
  });

  it('meets a connect deadline (ETIMEDOUT) through the dialer seam', async () => {
    const pool = poolOf({
      connectTimeoutMs: 100,
      dial: (_origin, _read, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    const error = await openRange(pool, { url: 'http://127.0.0.1:9/never', firstByteTimeoutMs: 1000 }).catch((e: unknown) => e);
    assert.equal((error as { code?: string }).code, 'ETIMEDOUT');
    assert.equal(pool.openSockets, 0);
  });

  it('fails cleanly on a malformed answer (HPE_* → BAD_RESPONSE)', async () => {
    const raw = await rawServer('HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!');
    try {
      const pool = poolOf();
      const error = await openRange(pool, { url: raw.url('/x'), firstByteTimeoutMs: 1000 }).catch((e: unknown) => e);
      assert.equal((error as { code?: string }).code, 'HPE_UNEXPECTED_CONTENT_LENGTH');
      assert.equal(toBraidError(error).code, 'BAD_RESPONSE');
      await until(() => pool.openSockets === 0);
    } finally {
      raw.server.close();
    }
  });

  it('a paused answer keeps its last bytes when its kept-alive connection goes to the next answer', async () => {
    // Every answer is a whole chunked body in one write, small enough for a connection's first read, so it is all
    // read at once while the consumer pauses after its first piece: the rest is held, the message is complete and
    // the connection free for another.
    let answers = 0;
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('data', () => {
        const letter = answers++ === 0 ? 'a' : 'b';
        const chunks = Array.from({ length: 10 }, () => `32\r\n${letter.repeat(50)}\r\n`).join('');
        socket.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`, 'latin1');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const pool = poolOf();
    try {
      const first = await openRange(pool, { url, firstByteTimeoutMs: 5000 });
      const parts: Buffer[] = [];
      let paused = false;
      const firstDone = first.receive((b, s, e) => {
        parts.push(Buffer.from(b.subarray(s, e)));
        if (!paused) {
          paused = true;
          first.pause();
        }
      }, Number.MAX_SAFE_INTEGER);
      await until(() => pool.idleCount === 1);
      const second = await fetchRange(pool, url, 0, 499, Number.MAX_SAFE_INTEGER);
      assert.equal(second.body.toString('latin1'), 'b'.repeat(500));
      first.resume();
      const end = await firstDone;
      assert.equal(Buffer.concat(parts).toString('latin1'), 'a'.repeat(500), 'the first answer got its own bytes, all of them');
      assert.equal(end.complete, true);
    } finally {
      pool.close(); // a paused connection would keep the server from closing
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('does not reuse a connection whose server sent bytes past the end of the answer', async () => {
    const raw = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA');
    try {
      const pool = poolOf();
      const response = await openRange(pool, { url: raw.url('/x'), firstByteTimeoutMs: 1000 });
      const end = await response.receive(() => undefined, 100);
      assert.deepEqual(end, { complete: true, bytes: 2 });
      await until(() => pool.openSockets === 0);
    } finally {
      raw.server.close();
    }
  });
});

describe('receive path over https', { skip: !canMakeCertificates() && 'openssl is not installed' }, () => {
  let certificate: TestCertificate;
  let origin: RangeOrigin;
  let dir: string;

  before(async () => {
    certificate = makeCertificate('DNS:localhost,IP:127.0.0.1');
    origin = await new RangeOrigin(certificate).start();
    dir = mkdtempSync(join(tmpdir(), 'braid-receive-'));
  });
  after(async () => {
    await origin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reuses one TLS connection (one handshake) for several ranges, SNI set for a name and not for an IP', async () => {
    const data = origin.file('/tls.bin', 2_000_000);
    for (const host of ['localhost', '127.0.0.1']) {
      const pool = new ConnectionPool({ maxPerOrigin: 1, tls: { ca: certificate.cert } });
      const before = origin.connections;
      for (let i = 0; i < 4; i++) {
        const { body, end } = await fetchRange(pool, origin.url('/tls.bin', host), i * 500_000, i * 500_000 + 499_999);
        assert.ok(end.complete);
        assert.ok(body.equals(data.subarray(i * 500_000, (i + 1) * 500_000)));
      }
      assert.equal(origin.connections - before, 1);
      assert.equal(origin.servernames.at(-1), host === 'localhost' ? 'localhost' : null);
      pool.close();
      await until(() => pool.openSockets === 0);
    }
  });

  it('delivers nothing while paused, though TLS still hands on records it had decrypted', async () => {
    const data = origin.file('/tls-pause.bin', 8_000_000, { writeSize: 1024 * 1024 });
    const pool = new ConnectionPool({ tls: { ca: certificate.cert } });
    try {
      const response = await openRange(pool, { url: origin.url('/tls-pause.bin'), firstByteTimeoutMs: 5000 });
      const copy = Buffer.alloc(data.length);
      let paused = false;
      let whilePaused = 0;
      let calls = 0;
      const end = await response.receive((b, s, e) => {
        if (paused) whilePaused++;
        b.copy(copy, response.delivered - (e - s), s, e);
        if (++calls % 3 === 0) {
          paused = true;
          response.pause();
          setImmediate(() => {
            paused = false;
            response.resume();
          });
        }
      }, data.length);
      assert.ok(end.complete);
      assert.equal(whilePaused, 0);
      assert.ok(copy.equals(data));
    } finally {
      pool.close();
    }
  });

  it('checks certificates as https does: unknown issuer and wrong name are refused', async () => {
    origin.file('/check.bin', 10);
    const untrusted = new ConnectionPool();
    await assert.rejects(openRange(untrusted, { url: origin.url('/check.bin'), firstByteTimeoutMs: 2000 }), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    assert.equal(untrusted.openSockets, 0);
    const other = makeCertificate('DNS:other.test');
    const wrongName = await new RangeOrigin(other).start();
    try {
      wrongName.file('/check.bin', 10);
      const pool = new ConnectionPool({ tls: { ca: other.cert } });
      await assert.rejects(openRange(pool, { url: wrongName.url('/check.bin'), firstByteTimeoutMs: 2000 }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      assert.equal(pool.openSockets, 0);
    } finally {
      await wrongName.close();
    }
  });

  it('trusts NODE_EXTRA_CA_CERTS as Node does', async () => {
    origin.file('/extra.bin', 1000);
    const certPath = join(dir, 'extra-ca.pem');
    writeFileSync(certPath, certificate.cert);
    const script = join(dir, 'extra-ca.mts');
    const modulePath = resolve('electron/engine/receive/range-request.ts');
    const poolPath = resolve('electron/engine/receive/connection-pool.ts');
    writeFileSync(
      script,
      `import { openRange } from ${JSON.stringify(modulePath)};\n` +
        `import { ConnectionPool } from ${JSON.stringify(poolPath)};\n` +
        `const pool = new ConnectionPool();\n` +
        `const r = await openRange(pool, { url: ${JSON.stringify(origin.url('/extra.bin'))}, firstByteTimeoutMs: 3000 });\n` +
        `let n = 0; await r.receive((b, s, e) => { n += e - s; }, 1e9); pool.close(); console.log(r.head.statusCode, n);\n`,
    );
    const output = await new Promise<string>((resolveOutput, reject) =>
      execFile(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath } }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolveOutput(stdout.trim()),
      ),
    );
    assert.equal(output, '200 1000');
  });

  it('meets the connect deadline of a server that never completes the handshake', async () => {
    const mute = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const port = (mute.address() as AddressInfo).port;
    const pool = new ConnectionPool({ connectTimeoutMs: 150, tls: { ca: certificate.cert } });
    try {
      const error = await openRange(pool, { url: `https://127.0.0.1:${port}/`, firstByteTimeoutMs: 1000 }).catch((e: unknown) => e);
      assert.equal((error as { code?: string }).code, 'ETIMEDOUT');
      assert.equal(pool.openSockets, 0);
    } finally {
      pool.close();
      mute.close();
    }
  });
});

/** What a consumer does on its nth call: pause for a while, lower its limit, or stop. */
interface ConsumerStep {
  pause: number | null;
  limitCut: number | null;
  stop: boolean;
}

const stepArb: fc.Arbitrary<ConsumerStep> = fc.record({
  pause: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 3, nil: null }),
  limitCut: fc.option(fc.integer({ min: 0, max: 200_000 }), { freq: 20, nil: null }),
  stop: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
});

/**
 * A consumer's memory for the whole body, lending the socket the place of the next byte (at most `cap` bytes of
 * it, or nothing when `cap` is null). Bytes that arrive as a view of it must be exactly at that place, in the
 * view lent last and not given back yet; any other bytes are copied there.
 */
class LendingMemory {
  readonly bytes: Buffer;
  received = 0;
  inPlace = 0;
  /** Views lent while another was still out: asked for after the test, since a throw here would be Node's. */
  lentTwice = 0;
  private lent: Buffer | null = null;

  constructor(size: number, private readonly cap: number | null) {
    this.bytes = Buffer.alloc(Math.max(size, 1));
  }

  lend = (maxBytes: number): Buffer | null => {
    if (this.lent !== null) this.lentTwice++;
    const n = Math.min(maxBytes, this.cap ?? 0, this.bytes.length - this.received);
    if (n <= 0) return null;
    this.lent = this.bytes.subarray(this.received, this.received + n);
    return this.lent;
  };

  giveBack = (): void => {
    this.lent = null;
  };

  take(b: Buffer, s: number, e: number): void {
    if (b.buffer === this.bytes.buffer) {
      assert.ok(this.lent !== null && b.buffer === this.lent.buffer && b.byteOffset >= this.lent.byteOffset, 'read into the view lent');
      assert.equal(b.byteOffset + s - this.bytes.byteOffset, this.received, 'in place: right where the next byte goes');
      this.inPlace += e - s;
    } else {
      b.copy(this.bytes, this.received, s, e);
    }
    this.received += e - s;
  }
}

async function receiveLending(pool: ConnectionPool, url: string, size: number): Promise<LendingMemory> {
  const response = await openRange(pool, { url, firstByteTimeoutMs: 5000 });
  const memory = new LendingMemory(size, 256 * 1024);
  const end = await response.receive((b, s, e) => memory.take(b, s, e), Number.MAX_SAFE_INTEGER, memory);
  assert.ok(end.complete);
  assert.equal(memory.lentTwice, 0);
  return memory;
}

/**
 * Whatever a consumer does — pausing, resuming later, lowering its limit, stopping, lending its memory for
 * reads — it receives a prefix of the body in order, never while paused, never past its limit, never more than
 * one read's worth per call, and what the end reports is what it got.
 */
async function consumerProperty(
  pool: ConnectionPool,
  url: string,
  data: Buffer,
  steps: ConsumerStep[],
  maxBytes: number,
  readBufferSize: number,
  lendCap: number | null,
): Promise<void> {
  const response = await openRange(pool, { url, firstByteTimeoutMs: 5000 });
  const memory = new LendingMemory(data.length, lendCap);
  let paused = false;
  let limit = maxBytes;
  let call = 0;
  const end = await response.receive((b, s, e) => {
    assert.equal(paused, false, 'no delivery while paused');
    assert.ok(e - s > 0 && e - s <= readBufferSize, `one call carries ${e - s} bytes`);
    memory.take(b, s, e);
    assert.ok(memory.received <= limit, 'never past the limit');
    const step = steps[call++ % steps.length]!;
    if (step.limitCut !== null) {
      limit = Math.max(memory.received, Math.min(limit, memory.received + step.limitCut));
      response.setLimit(limit);
    }
    if (step.stop) response.stop();
    else if (step.pause !== null) {
      paused = true;
      response.pause();
      const wake = () => {
        paused = false;
        response.resume();
      };
      if (step.pause === 0) setImmediate(wake);
      else setTimeout(wake, step.pause);
    }
  }, maxBytes, lendCap === null ? null : memory);
  const body = memory.bytes.subarray(0, memory.received);
  assert.equal(memory.lentTwice, 0, 'a view is lent only once the last one was given back');
  assert.equal(end.bytes, body.length);
  assert.ok(body.equals(data.subarray(0, body.length)), 'a prefix of the body, in order');
  if (end.complete) assert.equal(body.length, data.length);
  if (!steps.some((st) => st.stop || st.limitCut !== null) && maxBytes >= data.length) assert.ok(end.complete);
}

describe('receive path: any consumer behaviour', () => {
  let origin: RangeOrigin;
  let secure: RangeOrigin | null = null;
  let certificate: TestCertificate | null = null;
  before(async () => {
    origin = await new RangeOrigin().start();
    if (canMakeCertificates()) {
      certificate = makeCertificate('IP:127.0.0.1');
      secure = await new RangeOrigin(certificate).start();
    }
  });
  after(async () => {
    await origin.close();
    await secure?.close();
  });

  it('reads a body straight into the memory its consumer lends, over http and TLS', async () => {
    const servers = [origin, secure].filter((server) => server !== null);
    const pool = new ConnectionPool({ readBufferSize: 16 * 1024, tls: certificate ? { ca: certificate.cert } : {} });
    try {
      for (const server of servers) {
        const data = server.file('/in-place.bin', 2_000_000, { writeSize: 100_000 });
        const memory = await receiveLending(pool, server.url('/in-place.bin'), data.length);
        assert.ok(memory.bytes.equals(data), 'every byte in place');
        // Only the reads that come with the head, or right after it, are copied.
        console.log(`# ${server === origin ? 'http' : 'TLS'}: ${memory.inPlace} of ${data.length} bytes read in place`);
        assert.ok(memory.inPlace > data.length * 0.9, `${memory.inPlace} of ${data.length} bytes read in place`);
        // Chunk framing never lands in the consumer's memory.
        const chunked = server.file('/in-place-chunked.bin', 500_000, { chunked: true, writeSize: 1000 });
        const fromChunks = await receiveLending(pool, server.url('/in-place-chunked.bin'), chunked.length);
        assert.ok(fromChunks.bytes.equals(chunked), 'a chunked body, every byte in place');
      }
    } finally {
      pool.close();
    }
  });

  it('gets a prefix of the body in order, never while paused, never past its limit', async () => {
    const sizes = [0, 1, 5000, 300_000];
    const files = new Map<string, Buffer>();
    for (const server of [origin, secure]) {
      if (!server) continue;
      for (const size of sizes) {
        for (const chunked of [false, true]) {
          const path = `/p-${size}-${chunked}.bin`;
          files.set(server.url(path), server.file(path, size, { chunked, writeSize: 100_000 }));
        }
      }
    }
    const readBufferSize = 4096;
    const pool = new ConnectionPool({ readBufferSize, maxPerOrigin: 2, tls: certificate ? { ca: certificate.cert } : {} });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...files.keys()),
          fc.array(stepArb, { minLength: 1, maxLength: 12 }),
          fc.oneof(fc.constant(Number.MAX_SAFE_INTEGER), fc.integer({ min: 0, max: 400_000 })),
          fc.option(fc.integer({ min: 1, max: 3 * readBufferSize }), { nil: null }),
          (url, steps, maxBytes, lendCap) => consumerProperty(pool, url, files.get(url)!, steps, maxBytes, readBufferSize, lendCap),
        ),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
      );
    } finally {
      pool.close();
    }
  });
});

describe('origin keys', () => {
  it('tell origins apart by scheme, host and port, default ports included', () => {
    assert.equal(originOf(new URL('http://example.com/a')).key, 'http://example.com:80');
    assert.equal(originOf(new URL('https://example.com:443/a')).key, 'https://example.com:443');
    const v6 = originOf(new URL('http://[::1]:8080/'));
    assert.equal(v6.host, '::1');
    assert.equal(v6.key, 'http://[::1]:8080');
  });
});
