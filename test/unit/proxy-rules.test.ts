import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proxyProblem, redactProxy } from '../../shared/proxy-url';
import { bypassesProxy } from '../../electron/engine/proxy/no-proxy';
import { ProxyRouter } from '../../electron/engine/proxy/proxy-router';
import { proxyFromPacResult } from '../../electron/engine/proxy/system-proxy';

describe('proxy rules', () => {
  it('reads a no-proxy list as curl does', () => {
    const list = 'localhost, .internal.example, example.org:8080 10.0.0.1 [::1]';
    const yes = ['http://localhost/x', 'https://a.internal.example/', 'http://example.org:8080/', 'http://10.0.0.1/', 'http://[::1]:9/'];
    const no = ['http://example.org/', 'http://notexample.org:8080/', 'http://internal.example.com/', 'http://10.0.0.10/'];
    for (const url of yes) assert.equal(bypassesProxy(list, new URL(url)), true, url);
    for (const url of no) assert.equal(bypassesProxy(list, new URL(url)), false, url);
    assert.equal(bypassesProxy('*', new URL('http://any.where/')), true);
    assert.equal(bypassesProxy('', new URL('http://any.where/')), false);
  });

  it("takes the first usable entry of Electron's PAC answer", () => {
    assert.equal(proxyFromPacResult('DIRECT'), null);
    assert.equal(proxyFromPacResult('PROXY proxy.corp:3128; DIRECT'), 'http://proxy.corp:3128');
    assert.equal(proxyFromPacResult('HTTPS secure.corp:443'), 'https://secure.corp:443');
    assert.equal(proxyFromPacResult('SOCKS5 127.0.0.1:1080;PROXY x:1'), 'socks5://127.0.0.1:1080');
    assert.equal(proxyFromPacResult('QUIC q:443; PROXY p:8080'), 'http://p:8080');
    assert.equal(proxyFromPacResult(''), null);
  });

  it('checks proxy URLs and hides their passwords', () => {
    assert.equal(proxyProblem(''), null);
    assert.equal(proxyProblem('socks5://u:p@127.0.0.1:1080'), null);
    assert.match(proxyProblem('ftp://x:21')!, /http:\/\/, https:\/\/ or socks5:\/\//);
    assert.match(proxyProblem('not a url')!, /not a proxy URL/);
    assert.match(proxyProblem('http://p:3128/path')!, /only scheme/);
    assert.equal(redactProxy('http://user:secret@p:3128'), 'http://user:***@p:3128');
  });

  it("chooses the download's proxy, else the settings', else the system's; the no-proxy list always wins", async () => {
    const settings = { proxy: '', noProxy: 'direct.test' };
    const asked: string[] = [];
    const router = new ProxyRouter(
      () => settings,
      async (url) => (asked.push(url), 'http://system:8080'),
    );
    assert.equal(await router.route('http://a.test/f', 'socks5://own:1080'), 'socks5://own:1080');
    assert.equal(await router.route('http://a.test/f', ''), null);
    assert.equal(await router.route('http://a.test/f', undefined), 'http://system:8080');
    assert.equal(await router.route('http://a.test/g', undefined), 'http://system:8080');
    assert.equal(asked.length, 1, "the system's answer is kept per origin");
    settings.proxy = 'http://settings:3128';
    assert.equal(await router.route('http://a.test/f', undefined), 'http://settings:3128');
    assert.equal(await router.route('http://direct.test/f', 'socks5://own:1080'), null);
  });
});
