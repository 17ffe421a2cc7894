import assert from 'node:assert/strict';
import { request } from 'node:http';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../support/harness';
import { socketOutcome, startServe, stopServe, type Serving } from '../support/serve';

const SECRET = 'limits-secret';
const MIB = 1024 * 1024;

/** One raw HTTP exchange: the status, or `reset` when the server cut the connection. */
function exchange(url: string, options: { method?: string; path?: string; headers?: Record<string, string>; body?: Buffer }): Promise<string> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers }, (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    req.on('error', () => resolve('reset'));
    req.end(options.body);
  });
}

describe('braid serve bounds what it accepts', () => {
  let dir: string;
  let serve: Serving;
  before(async () => {
    dir = await tempDir('braid-serve-');
    serve = await startServe(dir, SECRET);
  });
  after(async () => {
    await stopServe(serve);
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on loopback unless told otherwise', () => {
    assert.match(serve.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('closes a WebSocket whose message is over 4 MiB, and goes on serving the others', async () => {
    const api = serve.url.replace('http:', 'ws:') + '/api';
    assert.equal(await socketOutcome(api, {}, [Buffer.alloc(5 * MIB, 0x20)]), 'closed 1009');
    assert.match(await socketOutcome(api, {}, [JSON.stringify({ type: 'hello', secret: SECRET })]), /"ready"/);
  });

  it('answers only GET and HEAD, and never reads an upload', async () => {
    assert.equal(await exchange(serve.url, { method: 'POST', body: Buffer.alloc(8 * MIB) }), '405');
    assert.equal(await exchange(serve.url, { method: 'PUT', path: '/index.html', body: Buffer.from('x') }), '405');
  });

  it('refuses headers over the size limit', async () => {
    assert.equal(await exchange(serve.url, { headers: { 'x-filler': 'a'.repeat(64 * 1024) } }), '431');
  });

  it('serves nothing outside its own folder', async () => {
    for (const path of ['/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/%00', '/%E0%A4%A']) {
      assert.notEqual(await exchange(serve.url, { path }), '200', path);
    }
    assert.equal(await exchange(serve.url, { path: '/' }), '200');
  });

  it('closes a socket that never presents the secret', async () => {
    const api = serve.url.replace('http:', 'ws:') + '/api';
    assert.equal(await socketOutcome(api, {}), 'closed 4401');
  });
});
