import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { braid } from '../support/cli';
import { CappedOrigin } from '../support/capped-origin';
import { tempDir } from '../support/harness';
import { Socks5Proxy, HttpConnectProxy } from '../support/test-proxies';

const MIB = 1024 * 1024;

describe('braid get and add: proxies and connections per server', () => {
  let origin: CappedOrigin;
  let socks: Socks5Proxy;
  let http: HttpConnectProxy;
  let dir: string;
  before(async () => {
    origin = await new CappedOrigin(2 * MIB, 32, 8 * MIB, '503').start();
    socks = await new Socks5Proxy({ user: 'cli', password: 'pw' }).start();
    http = await new HttpConnectProxy().start();
    dir = await tempDir('braid-cli-proxy-');
  });
  after(async () => {
    await socks.close();
    await http.close();
    await origin.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('--all-proxy and --max-connection-per-server on get', async () => {
    const out = join(dir, 'get');
    const run = await braid(['get', '-d', out, '-s', '8', '--max-connection-per-server', '2', '--all-proxy', socks.url(), '--db', join(dir, 'get.db'), origin.url()]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok((await readFile(join(out, 'capped.bin'))).equals(origin.data));
    assert.ok(origin.peers.length > 0);
    for (const port of origin.peers) assert.ok(socks.upstreamPorts.has(port));
    assert.ok(origin.mostAtOnce <= 2, `${origin.mostAtOnce} at once`);
  });

  it('HTTP_PROXY from the environment; all-proxy= and max-connection-per-server= in a list', async () => {
    origin.resetCounts();
    const env = { HTTP_PROXY: http.url(), NO_PROXY: '' };
    const run = await braid(['get', '-d', join(dir, 'env'), '--db', join(dir, 'env.db'), origin.url()], undefined, env);
    assert.equal(run.code, 0, run.stderr);
    for (const port of origin.peers) assert.ok(http.upstreamPorts.has(port));

    origin.resetCounts();
    const list = join(dir, 'list.txt');
    await writeFile(list, `${origin.url()}\n  all-proxy=${socks.url()}\n  max-connection-per-server=1\n`);
    const listed = await braid(['get', '-d', join(dir, 'list'), '-s', '4', '--db', join(dir, 'list.db'), '-i', list], undefined, env);
    assert.equal(listed.code, 0, listed.stderr);
    for (const port of origin.peers) assert.ok(socks.upstreamPorts.has(port), 'the list entry’s proxy wins over the environment');
    assert.equal(origin.mostAtOnce, 1);
  });

  it('refuses a proxy URL it cannot use, before anything starts', async () => {
    const run = await braid(['add', '--all-proxy', 'ftp://nope:21', '--db', join(dir, 'bad.db'), origin.url()]);
    assert.equal(run.code, 2, 'bad input');
    assert.match(run.stderr, /a proxy must be http:\/\/, https:\/\/ or socks5:\/\//);
  });
});
