import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConnectionPool } from '../../electron/engine/receive/connection-pool';
import { openRange } from '../../electron/engine/receive/range-request';
import { TlsSessions } from '../../electron/engine/receive/tls-sessions';
import { RangeOrigin } from '../support/range-origin';
import { receiveWhole } from '../support/receive-whole';
import { canMakeCertificates, makeCertificate, type TestCertificate } from '../support/test-certificate';

const MIB = 1024 * 1024;

/** Receives `[first, first + length)` of `url` on its own connection. */
async function receiveRange(pool: ConnectionPool, url: string, first: number, length: number): Promise<Buffer> {
  const headers = { range: `bytes=${first}-${first + length - 1}` };
  const { body, complete } = await receiveWhole(await openRange(pool, { url, headers, firstByteTimeoutMs: 5000 }), length);
  assert.ok(complete);
  return body;
}

describe('TLS sessions', { skip: !canMakeCertificates() && 'openssl is not installed' }, () => {
  let certificate: TestCertificate;
  let origin: RangeOrigin;
  before(async () => {
    certificate = makeCertificate('DNS:localhost,IP:127.0.0.1');
    origin = await new RangeOrigin(certificate).start();
  });
  after(async () => {
    await origin.close();
  });

  it('a new connection to a server spoken to before resumes its session instead of a full handshake', async () => {
    const data = origin.file('/parallel.bin', 4 * MIB);
    const pool = new ConnectionPool({ maxPerOrigin: 4, tls: { ca: certificate.cert } });
    try {
      const connections = origin.connections;
      const resumed = origin.resumedSessions;
      // The first connection's handshake gives the session (TLS 1.3 sends it after the handshake, with the answer).
      assert.ok((await receiveRange(pool, origin.url('/parallel.bin'), 0, MIB)).equals(data.subarray(0, MIB)));
      // Four at once: the idle one is reused and three are new, as a download's connections are.
      const parts = await Promise.all([0, 1, 2, 3].map((i) => receiveRange(pool, origin.url('/parallel.bin'), i * MIB, MIB)));
      parts.forEach((part, i) => assert.ok(part.equals(data.subarray(i * MIB, (i + 1) * MIB))));
      assert.equal(origin.connections - connections, 4);
      assert.equal(origin.resumedSessions - resumed, 3, 'every new connection after the first resumed');
    } finally {
      pool.close();
    }
  });
});

describe('the TLS session cache', () => {
  const session = (n: number) => Buffer.from([n]);

  it('keeps one session per origin, the latest', () => {
    const sessions = new TlsSessions(3);
    sessions.set('https://a:443', session(1));
    sessions.set('https://a:443', session(2));
    assert.equal(sessions.size, 1);
    assert.deepEqual(sessions.get('https://a:443'), session(2));
    sessions.delete('https://a:443');
    assert.equal(sessions.get('https://a:443'), undefined);
  });

  it('keeps only the most recently used origins', () => {
    const sessions = new TlsSessions(3);
    for (const host of ['a', 'b', 'c']) sessions.set(`https://${host}:443`, session(1));
    sessions.get('https://a:443'); // used: b is now the one used longest ago
    sessions.set('https://d:443', session(1));
    assert.equal(sessions.size, 3);
    assert.equal(sessions.get('https://b:443'), undefined);
    for (const host of ['a', 'c', 'd']) assert.ok(sessions.get(`https://${host}:443`), host);
  });
});
