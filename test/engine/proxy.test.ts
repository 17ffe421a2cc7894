import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_TIMING, proxyFromEnvironment } from '../../electron/engine/index';
import { CappedOrigin } from '../support/capped-origin';
import { assertCompletedWith, makeRig } from '../support/harness';
import { runDownloads } from '../support/harness';
import { HttpConnectProxy, Socks5Proxy } from '../support/test-proxies';

const MIB = 1024 * 1024;
/** A name no DNS knows: only a proxy that resolves names itself can reach it. */
const NAME = 'files.braid.test';
const CREDENTIALS = { user: 'braid', password: 's3cret:with@odd/chars' };

describe('proxies', () => {
  let origin: CappedOrigin;
  let http: HttpConnectProxy;
  let socks: Socks5Proxy;
  before(async () => {
    origin = await new CappedOrigin(3 * MIB, 64, 64 * MIB, '503').start();
    http = await new HttpConnectProxy(CREDENTIALS, { [NAME]: '127.0.0.1' }).start();
    socks = await new Socks5Proxy(CREDENTIALS, { [NAME]: '127.0.0.1' }).start();
  });
  after(async () => {
    await http.close();
    await socks.close();
    await origin.close();
  });

  const byName = () => origin.url().replace('127.0.0.1', NAME);

  /** Every connection the origin saw came from the proxy: nothing went around it. */
  function onlyThrough(proxy: HttpConnectProxy | Socks5Proxy): void {
    assert.ok(origin.peers.length > 0);
    for (const port of origin.peers) assert.ok(proxy.upstreamPorts.has(port), `a connection from port ${port} did not come through the proxy`);
  }

  for (const receivePath of [true, false]) {
    const path = receivePath ? "Braid's receive path" : 'got';
    it(`downloads through an HTTP proxy with credentials, the name resolved by the proxy (${path})`, async () => {
      origin.resetCounts();
      const rig = await makeRig({ receivePath, overrides: { segments: 4, proxy: http.url() } });
      const [rec] = await runDownloads(rig, [{ url: byName() }]);
      await assertCompletedWith(rec!, origin.data);
      onlyThrough(http);
      assert.ok(http.targets.includes(`${NAME}:${new URL(byName()).port}`));
      await rig.cleanup();
    });

    it(`downloads through a SOCKS5 proxy with credentials set for the download, remote DNS (${path})`, async () => {
      origin.resetCounts();
      const rig = await makeRig({ receivePath, overrides: { segments: 4 } });
      const [rec] = await runDownloads(rig, [{ url: byName(), options: { proxy: socks.url() } }]);
      await assertCompletedWith(rec!, origin.data);
      onlyThrough(socks);
      assert.ok(socks.targets.includes(`${NAME}:${new URL(byName()).port}`));
      const shown = await rig.engine.detail(rec!.id);
      assert.equal(shown?.record.options.proxy, `socks5://braid:***@127.0.0.1:${socks.port}`, 'a window never sees the password');
      await rig.cleanup();
    });

    it(`fails at once with a clear error on a wrong proxy password, nothing sent to the origin (${path})`, async () => {
      for (const proxy of [http, socks]) {
        origin.resetCounts();
        const failures = proxy.authFailures;
        const rig = await makeRig({ receivePath, overrides: { segments: 4 } });
        const [rec] = await runDownloads(rig, [{ url: byName(), options: { proxy: proxy.url({ user: 'braid', password: 'not-the-password-42' }) } }]);
        assert.equal(rec!.status, 'failed');
        assert.equal(rec!.error?.code, 'PROXY_ERROR', JSON.stringify(rec!.error));
        assert.match(rec!.error!.message, /user name or password/);
        assert.doesNotMatch(rec!.error!.message, /not-the-password-42/, 'the password is never shown');
        assert.ok(proxy.authFailures > failures);
        assert.equal(origin.peers.length, 0);
        await rig.cleanup();
      }
    });
  }

  it('says a proxy that cannot be reached is the one at fault, not the server behind it', async () => {
    // A port nothing listens on: bound, then let go.
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    for (const scheme of ['http', 'socks5']) {
      const proxy = `${scheme}://127.0.0.1:${closed}`;
      const rig = await makeRig({ overrides: { segments: 1 }, timing: { retry: { ...DEFAULT_TIMING.retry, maxAttempts: 1 } } });
      const [rec] = await runDownloads(rig, [{ url: origin.url(), options: { proxy } }]);
      await rig.cleanup();
      assert.equal(rec!.error?.code, 'PROXY_ERROR', JSON.stringify(rec!.error));
      assert.match(rec!.error!.message, new RegExp(`^the proxy ${proxy} cannot be reached: .*ECONNREFUSED`));
    }
  });

  it("fails a download as the proxy's fault when the system gives a proxy that is no URL, never showing its password", async () => {
    const rig = await makeRig({ systemProxy: async () => 'http://someone:hunter2@proxy.invalid:99999', overrides: { segments: 1 } });
    const [rec] = await runDownloads(rig, [{ url: origin.url() }]);
    await rig.cleanup();
    assert.equal(rec!.error?.code, 'PROXY_ERROR', JSON.stringify(rec!.error));
    assert.match(rec!.error!.message, /^the system's proxy cannot be used: .*is not a proxy URL/);
    assert.doesNotMatch(rec!.error!.message, /hunter2/);
  });

  it('reaches a host on the no-proxy list directly', async () => {
    origin.resetCounts();
    const before = http.connections;
    const rig = await makeRig({ overrides: { segments: 4, proxy: http.url(), noProxy: 'example.org, 127.0.0.1' } });
    const [rec] = await runDownloads(rig, [{ url: origin.url() }]);
    await assertCompletedWith(rec!, origin.data);
    assert.equal(http.connections, before);
    assert.ok(origin.peers.length > 0);
    await rig.cleanup();
  });

  it('takes the proxy from HTTP_PROXY and the exceptions from NO_PROXY (the CLI and serve)', async () => {
    const saved = { ...process.env };
    try {
      for (const key of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy']) delete process.env[key];
      process.env['http_proxy'] = http.url();
      origin.resetCounts();
      let rig = await makeRig({ systemProxy: proxyFromEnvironment(), overrides: { segments: 2 } });
      let [rec] = await runDownloads(rig, [{ url: byName() }]);
      await assertCompletedWith(rec!, origin.data);
      onlyThrough(http);
      await rig.cleanup();

      process.env['NO_PROXY'] = '127.0.0.1';
      origin.resetCounts();
      const before = http.connections;
      rig = await makeRig({ systemProxy: proxyFromEnvironment(), overrides: { segments: 2 } });
      [rec] = await runDownloads(rig, [{ url: origin.url() }]);
      await assertCompletedWith(rec!, origin.data);
      assert.equal(http.connections, before);
      await rig.cleanup();
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it("a download's own '' means no proxy even when the settings name one", async () => {
    origin.resetCounts();
    const before = socks.connections;
    const rig = await makeRig({ overrides: { proxy: socks.url() } });
    const [rec] = await runDownloads(rig, [{ url: origin.url(), options: { proxy: '' } }]);
    await assertCompletedWith(rec!, origin.data);
    assert.equal(socks.connections, before);
    await rig.cleanup();
  });
});
