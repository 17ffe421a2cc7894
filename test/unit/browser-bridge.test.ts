import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { hostFolder, installHost, uninstallHost } from '../../electron/bridge/host-manifest';
import { endpointPath, readEndpoint, socketPathFor } from '../../electron/bridge/endpoint-file';
import { encodeFrame, FrameError, MAX_INCOMING, readFrames } from '../../electron/bridge/frames';
import { EngineRefused, EngineUnreachable, handToEngine } from '../../electron/bridge/handoff-client';
import { listenForHandoffs } from '../../electron/bridge/handoff-server';
import { toAddRequest } from '../../electron/cli/browser/to-add-request';
import { DEFAULT_SETTINGS, parseSites, settingsFrom } from '../../extension/src/settings';
import { decide, sameSite } from '../../extension/src/takeover';
import { CHROMIUM_EXTENSION_ID } from '../../shared/browser-bridge';
import { maskHeaderValue, maskOptions } from '../../shared/header-mask';
import { makeRig } from '../support/harness';

const MIB = 1024 * 1024;

async function collect(chunks: Buffer[]): Promise<unknown[]> {
  const input = new PassThrough();
  for (const c of chunks) input.write(c);
  input.end();
  const out: unknown[] = [];
  for await (const m of readFrames(input)) out.push(m);
  return out;
}

describe('native messaging frames', () => {
  it('reads messages split anywhere across chunks, in order', async () => {
    const bytes = Buffer.concat([encodeFrame({ type: 'ping' }), encodeFrame({ type: 'add', downloads: [{ url: 'http://127.0.0.1/é' }] })]);
    const pieces = [bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)];
    assert.deepEqual(await collect(pieces), [{ type: 'ping' }, { type: 'add', downloads: [{ url: 'http://127.0.0.1/é' }] }]);
  });

  it('puts the length first, little-endian', () => {
    const frame = encodeFrame({ a: 1 });
    assert.equal(frame.readUInt32LE(0), Buffer.byteLength('{"a":1}'));
  });

  it('refuses a frame over the limit before reading it, a body that is not JSON, and a cut-off frame', async () => {
    const huge = Buffer.alloc(4);
    huge.writeUInt32LE(MAX_INCOMING + 1);
    await assert.rejects(collect([huge]), FrameError);
    const notJson = Buffer.from('xxxxnope');
    notJson.writeUInt32LE(4);
    await assert.rejects(collect([notJson]), /not JSON/);
    await assert.rejects(collect([encodeFrame({ a: 1 }).subarray(0, 6)]), /ended inside a message/);
  });
});

describe('which downloads the extension takes over', () => {
  const web = { url: 'https://files.example/big.iso', referrer: 'https://files.example/', size: 5 * MIB };

  it('takes http(s) downloads over the threshold, and those of unknown size', () => {
    assert.deepEqual(decide(web, DEFAULT_SETTINGS, false), { take: true });
    assert.deepEqual(decide({ ...web, size: null }, DEFAULT_SETTINGS, false), { take: true });
    assert.deepEqual(decide({ ...web, size: MIB }, DEFAULT_SETTINGS, false), { take: true });
  });

  it('leaves the rest to the browser', () => {
    assert.equal(decide({ ...web, size: MIB - 1 }, DEFAULT_SETTINGS, false).take, false);
    assert.equal(decide({ ...web, url: 'blob:https://files.example/x' }, DEFAULT_SETTINGS, false).take, false);
    assert.equal(decide({ ...web, finalUrl: 'data:text/plain,hi' }, DEFAULT_SETTINGS, false).take, false);
    assert.equal(decide(web, DEFAULT_SETTINGS, true).take, false, 'Alt-click');
    assert.equal(decide(web, { ...DEFAULT_SETTINGS, takeOver: false }, false).take, false);
    const rule = { ...DEFAULT_SETTINGS, sitesLeftToBrowser: ['ample'] };
    assert.equal(decide(web, rule, false).take, true, 'a rule names a host, not a suffix of letters');
    assert.equal(decide(web, { ...DEFAULT_SETTINGS, sitesLeftToBrowser: ['files.example'] }, false).take, false);
    assert.equal(decide({ ...web, url: 'https://cdn.files.example/x' }, { ...DEFAULT_SETTINGS, sitesLeftToBrowser: ['files.example'] }, false).take, false, 'subdomains');
    assert.equal(decide({ ...web, url: 'https://cdn.other/x' }, { ...DEFAULT_SETTINGS, sitesLeftToBrowser: ['files.example'] }, false).take, false, 'the page it came from');
  });

  it('reads site rules as host names and stored settings with defaults for what is missing', () => {
    assert.deepEqual(parseSites('Example.com\nhttps://a.b.c/path  bad host!\nbücher.example\n'), ['example.com', 'a.b.c', 'bad', 'xn--bcher-kva.example']);
    assert.deepEqual(settingsFrom({ thresholdBytes: -1, takeOver: 'yes', sitesLeftToBrowser: ['x', 3] }), { ...DEFAULT_SETTINGS, sitesLeftToBrowser: ['x'] });
  });
});

describe('what the host queues for a browser download', () => {
  it('turns cookies, referrer and user agent into the download headers, the final URL into a mirror', () => {
    const r = toAddRequest(
      { url: 'https://a.example/f?sig=1', finalUrl: 'https://cdn.example/f', referrer: 'https://a.example/page', userAgent: 'UA', cookies: 'sid=1', name: '/home/u/Downloads/f.iso', size: 9 },
      '/data',
    );
    assert.deepEqual(r, {
      url: 'https://a.example/f?sig=1',
      mirrors: ['https://cdn.example/f'],
      name: 'f.iso',
      folder: '/data',
      options: { headers: { Cookie: 'sid=1', Referer: 'https://a.example/page', 'User-Agent': 'UA' } },
    });
  });

  it('drops a referrer that is not a web page and sends no headers it was not given', () => {
    assert.deepEqual(toAddRequest({ url: 'http://a.example/f', referrer: 'chrome://downloads', finalUrl: 'http://a.example/f' }, undefined), { url: 'http://a.example/f', options: {} });
  });
});

describe('masked headers', () => {
  it('shows cookie names and the length of other values, never a value', () => {
    assert.equal(maskHeaderValue('Cookie', 'a=secret; b=more=stuff'), 'a=…; b=…');
    assert.equal(maskHeaderValue('Authorization', 'Bearer xyz'), '… (10 characters)');
    assert.deepEqual(maskOptions({ segments: 2 }), { segments: 2 });
    assert.ok(!JSON.stringify(maskOptions({ headers: { cookie: 'sid=hunter2', 'x-key': 'hunter2' } })).includes('hunter2'));
  });
});

describe("a running engine's handoff socket", () => {
  it('takes downloads with the secret from the private endpoint file, and nothing without it', async () => {
    const rig = await makeRig();
    const handoffs = await listenForHandoffs(rig.engine, rig.dbPath);
    try {
      const endpoint = readEndpoint(rig.dbPath);
      assert.ok(endpoint, 'published');
      assert.equal(endpoint.socket, socketPathFor(rig.dbPath));
      assert.equal(statSync(endpointPath(rig.dbPath)).mode & 0o777, 0o600);
      assert.equal(statSync(endpoint.socket).mode & 0o077, 0, 'the socket is its user alone');

      const [added] = await handToEngine(endpoint, [{ url: 'http://127.0.0.1:9/x.iso', paused: true, options: { headers: { cookie: 'a=1' } } }]);
      assert.ok(added?.ok);
      assert.equal(rig.repo.get(added.id)?.options.headers?.['cookie'], 'a=1');
      await assert.rejects(handToEngine({ ...endpoint, secret: 'guess' }, [{ url: 'http://127.0.0.1:9/y.iso' }]), EngineRefused);
      await assert.rejects(handToEngine(endpoint, [{ url: 'http://127.0.0.1:9/z', options: { segments: 99 } }]), /connections per download must be a whole number from 1 to 32/);
      assert.equal(rig.repo.list({}).total, 1, 'nothing refused was queued');

      chmodSync(endpointPath(rig.dbPath), 0o644);
      assert.equal(readEndpoint(rig.dbPath), null, 'an endpoint file others can read is not trusted');
      chmodSync(endpointPath(rig.dbPath), 0o600);
      const text = readFileSync(endpointPath(rig.dbPath), 'utf8');
      writeFileSync(endpointPath(rig.dbPath), text.replace(`"pid":${process.pid}`, '"pid":999999999'), { mode: 0o600 });
      assert.equal(readEndpoint(rig.dbPath), null, 'its process is gone');
      writeFileSync(endpointPath(rig.dbPath), text, { mode: 0o600 });
    } finally {
      await handoffs.close();
    }
    assert.equal(readEndpoint(rig.dbPath), null, 'withdrawn when the engine stops');
    await assert.rejects(handToEngine({ socket: socketPathFor(rig.dbPath), secret: 's', pid: process.pid }, []), EngineUnreachable);
    await rig.cleanup();
  });

  it('keeps long database paths under the socket length limit', () => {
    const long = `/${'d'.repeat(150)}/state.db`;
    assert.ok(Buffer.byteLength(socketPathFor(long)) < 100);
    assert.equal(socketPathFor('/tmp/x/state.db'), '/tmp/x/state.db.sock');
  });
});

describe('the extension identity', () => {
  it("is the ID Chromium derives from the manifest's key", () => {
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../extension/manifest.json'), 'utf8')) as { key: string };
    const hex = createHash('sha256').update(Buffer.from(manifest.key, 'base64')).digest('hex').slice(0, 32);
    const id = [...hex].map((c) => String.fromCharCode('a'.charCodeAt(0) + parseInt(c, 16))).join('');
    assert.equal(id, CHROMIUM_EXTENSION_ID);
  });

  it("registers the host in each browser's own per-user folder", () => {
    assert.equal(hostFolder('chromium', 'linux', '/home/u'), '/home/u/.config/chromium/NativeMessagingHosts');
    assert.equal(hostFolder('chrome', 'linux', '/home/u'), '/home/u/.config/google-chrome/NativeMessagingHosts');
    assert.equal(hostFolder('brave', 'linux', '/home/u'), '/home/u/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts');
    assert.equal(hostFolder('edge', 'linux', '/home/u'), '/home/u/.config/microsoft-edge/NativeMessagingHosts');
    assert.equal(hostFolder('firefox', 'linux', '/home/u'), '/home/u/.mozilla/native-messaging-hosts');
    assert.equal(hostFolder('firefox', 'darwin', '/Users/u'), '/Users/u/Library/Application Support/Mozilla/NativeMessagingHosts');
    assert.equal(hostFolder('chrome', 'darwin', '/Users/u'), '/Users/u/Library/Application Support/Google/Chrome/NativeMessagingHosts');
  });

  it("writes a launcher that runs the app's own executable as Node when the app registers itself", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'braid-launcher-'));
    try {
      const manifest = installHost({
        browser: 'firefox',
        dir,
        command: ['/opt/Braid/braid', "/opt/Braid/resources/app.asar/out/cli/braid.js"],
        env: { ELECTRON_RUN_AS_NODE: '1' },
        database: "/home/u/.config/Braid/braid's.db",
        app: '/opt/Braid/braid',
      });
      const written = JSON.parse(readFileSync(manifest, 'utf8')) as { path: string; allowed_extensions?: string[] };
      assert.deepEqual(written.allowed_extensions, ['browser-bridge@braid.app']);
      assert.equal(
        readFileSync(written.path, 'utf8'),
        "#!/bin/sh\nexport ELECTRON_RUN_AS_NODE='1'\nexec '/opt/Braid/braid' '/opt/Braid/resources/app.asar/out/cli/braid.js' 'browser-host' " +
          "'--db' '/home/u/.config/Braid/braid'\\''s.db' '--app' '/opt/Braid/braid' \"$@\"\n",
      );
      uninstallHost({ browser: 'firefox', dir });
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('which page links go with cookies', () => {
  it('only links on the page’s own site', () => {
    assert.equal(sameSite('https://dl.example.com/a.iso', 'https://www.example.com/page'), true);
    assert.equal(sameSite('https://example.com/a.iso', 'https://example.com/'), true);
    assert.equal(sameSite('https://files.shop.co.uk/a.zip', 'https://www.shop.co.uk/'), true);
    assert.equal(sameSite('https://other.co.uk/a.zip', 'https://www.shop.co.uk/'), false);
    assert.equal(sameSite('https://tracker.net/a.bin', 'https://example.com/page'), false);
    assert.equal(sameSite('http://127.0.0.1:8080/a.bin', 'http://127.0.0.1:9090/'), true);
    assert.equal(sameSite('http://127.0.0.2/a.bin', 'http://127.0.0.1/'), false);
    assert.equal(sameSite('not a url', 'https://example.com/'), false);
    assert.equal(sameSite('https://dl.gmx.de/a.zip', 'https://www.gmx.de/'), true, 'a country domain of two labels');
    assert.equal(sameSite('https://a.github.io/x.zip', 'https://b.github.io/'), false, 'two tenants of a shared host');
    assert.equal(sameSite('https://evil.s3.amazonaws.com/x', 'https://mine.s3.amazonaws.com/'), false);
    assert.equal(sameSite('http://localhost:8080/a.bin', 'http://localhost/'), true);
  });
});
