import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConnectionPool } from '../../electron/engine/receive/connection-pool';
import { openRange } from '../../electron/engine/receive/range-request';
import { RangeOrigin } from '../support/range-origin';
import { receiveWhole } from '../support/receive-whole';
import { canMakeCertificates, makeCertificate, type TestCertificate } from '../support/test-certificate';
import { HttpConnectProxy, Socks5Proxy } from '../support/test-proxies';

const MIB = 1024 * 1024;
const NAME = 'files.braid.test';
/** Another name the proxy resolves to the same origin, which its certificate does not name. */
const OTHER = 'other.braid.test';

/** Receives one whole file over the pool; returns its bytes, and the process's CPU time it took. */
async function receive(pool: ConnectionPool, url: string, proxy: string | null, size: number): Promise<{ body: Buffer; cpuMs: number; wallMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { body, received, complete } = await receiveWhole(await openRange(pool, { url, firstByteTimeoutMs: 5000, proxy }), size);
  assert.ok(complete);
  assert.equal(received, size);
  const used = process.cpuUsage(cpu);
  return { body, cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - started };
}

describe('the receive path over TLS through a proxy', { skip: !canMakeCertificates() && 'openssl is not installed' }, () => {
  let certificate: TestCertificate;
  let origin: RangeOrigin;
  let http: HttpConnectProxy;
  let socks: Socks5Proxy;
  before(async () => {
    certificate = makeCertificate(`DNS:${NAME},IP:127.0.0.1`);
    origin = await new RangeOrigin(certificate).start();
    http = await new HttpConnectProxy({ user: 'u', password: 'p' }, { [NAME]: '127.0.0.1', [OTHER]: '127.0.0.1' }).start();
    socks = await new Socks5Proxy({ user: 'u', password: 'p' }, { [NAME]: '127.0.0.1' }).start();
  });
  after(async () => {
    await http.close();
    await socks.close();
    await origin.close();
  });

  it('tunnels TLS (certificate checked for the name, SNI sent) through CONNECT and SOCKS5, and reuses the tunnel', async () => {
    const data = origin.file('/tls.bin', 2 * MIB);
    for (const proxy of [http, socks]) {
      const pool = new ConnectionPool({ maxPerOrigin: 1, tls: { ca: certificate.cert } });
      const tunnels = proxy.connections;
      for (let i = 0; i < 3; i++) {
        const { body } = await receive(pool, origin.url('/tls.bin', NAME), proxy.url(), data.length);
        assert.ok(body.equals(data));
      }
      assert.equal(proxy.connections - tunnels, 1, 'one tunnel, kept alive for the three requests');
      assert.equal(origin.servernames.at(-1), NAME);
      pool.close();
    }
  });

  it('speaks TLS to an https:// proxy and TLS to the origin inside it', async () => {
    const secureProxy = await new HttpConnectProxy({ user: 'u', password: 'p' }, { [NAME]: '127.0.0.1' }, certificate).start();
    const pool = new ConnectionPool({ tls: { ca: certificate.cert } });
    try {
      const data = origin.file('/inside.bin', MIB);
      assert.match(secureProxy.url(), /^https:/);
      const { body } = await receive(pool, origin.url('/inside.bin', NAME), secureProxy.url(), data.length);
      assert.ok(body.equals(data));
      assert.deepEqual(secureProxy.targets, [`${NAME}:${origin.port}`]);
    } finally {
      pool.close();
      await secureProxy.close();
    }
  });

  it('refuses a certificate that does not match the name, through the tunnel as directly', async () => {
    origin.file('/check.bin', 10);
    const pool = new ConnectionPool({ tls: { ca: certificate.cert } });
    await assert.rejects(openRange(pool, { url: origin.url('/check.bin', OTHER), firstByteTimeoutMs: 2000, proxy: http.url() }), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    assert.equal(pool.openSockets, 0);
    pool.close();
  });

  it('measures what reading through a tunnel costs (Node takes no onread for TLS over an existing socket)', async () => {
    const size = 64 * MIB;
    const data = origin.file('/big.bin', size, { writeSize: 256 * 1024 });
    const figures: string[] = [];
    for (const [what, proxy] of [
      ['direct (onread)', null],
      ['through CONNECT (chunks copied)', http.url()],
      ['through SOCKS5 (chunks copied)', socks.url()],
    ] as const) {
      const pool = new ConnectionPool({ tls: { ca: certificate.cert } });
      try {
        const { body, cpuMs, wallMs } = await receive(pool, origin.url('/big.bin', proxy ? NAME : '127.0.0.1'), proxy, size);
        assert.ok(body.equals(data));
        figures.push(`${what} ${wallMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU`);
      } finally {
        pool.close();
      }
    }
    console.log(`# 64 MiB over TLS from 127.0.0.1, one connection: ${figures.join('; ')} (CPU includes the test proxy's own work)`);
  });
});
