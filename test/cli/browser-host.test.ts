import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BROWSER_HOST_NAME, CHROMIUM_EXTENSION_ID, type BridgeReply, type BridgeRequest } from '../../shared/browser-bridge';
import type { DownloadRecord } from '../../shared/types';
import { BRAID, braid } from '../support/cli';
import { tempDir, waitFor } from '../support/harness';
import { TestOrigin } from '../support/origin';
import { createHash } from 'node:crypto';
import { startServe } from '../support/serve';

// `braid browser-host` as the browser runs it: through the launcher `install` writes, frames on stdin and stdout.

function frame(message: unknown): Buffer {
  const body = Buffer.from(typeof message === 'string' ? message : JSON.stringify(message));
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length);
  return Buffer.concat([head, body]);
}

function parseFrames(bytes: Buffer): unknown[] {
  const out: unknown[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = bytes.readUInt32LE(at);
    out.push(JSON.parse(bytes.subarray(at + 4, at + 4 + n).toString()));
    at += 4 + n;
  }
  return out;
}

/** Runs `launcher` as a browser does (its origin as the argument), sends `input` and closes stdin. */
function host(launcher: string, input: Buffer, extraEnv: Record<string, string> = {}): Promise<{ code: number | null; replies: unknown[]; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(launcher, [`chrome-extension://${CHROMIUM_EXTENSION_ID}/`], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin', ...extraEnv } });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, replies: parseFrames(Buffer.concat(out)), stderr }));
    child.stdin.end(input);
  });
}

async function records(db: string): Promise<DownloadRecord[]> {
  const r = await braid(['list', '--json', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { items: DownloadRecord[] }).items;
}

describe('braid browser-host', () => {
  let dir: string;
  let folder: string;
  let launcher: string;
  let db: string;

  before(async () => {
    dir = await tempDir('braid-host-');
    folder = join(dir, 'NativeMessagingHosts');
    db = join(dir, 'state.db');
    const r = await braid(['browser-host', 'install', '--browser', 'chromium', '--dir', folder, '--db', db, '--downloads', join(dir, 'files')]);
    assert.equal(r.code, 0, r.stderr);
    launcher = join(folder, 'braid-browser-host');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("installs a manifest that allows Braid's extension alone, and a launcher with absolute paths", () => {
    const manifest = JSON.parse(readFileSync(join(folder, `${BROWSER_HOST_NAME}.json`), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(manifest, {
      name: BROWSER_HOST_NAME,
      description: 'Braid: takes over downloads from the browser',
      path: launcher,
      type: 'stdio',
      allowed_origins: [`chrome-extension://${CHROMIUM_EXTENSION_ID}/`],
    });
    assert.ok(statSync(launcher).mode & 0o100, 'executable');
    assert.match(readFileSync(launcher, 'utf8'), new RegExp(`^#!/bin/sh\\nexec '${process.execPath}' '/[^']+/out/cli/braid\\.js' 'browser-host' '--db' '${db}'`));
  });

  it('answers a ping and queues downloads into the database with no engine running, cookies masked in the list', async () => {
    const requests: BridgeRequest[] = [
      { type: 'ping' },
      { type: 'add', downloads: [{ url: 'http://127.0.0.1:9/a.iso', cookies: 'sid=hunter2', referrer: 'http://127.0.0.1:9/', userAgent: 'UA', name: 'a.iso' }] },
      { type: 'add', downloads: [{ url: 'ftp://127.0.0.1/b' }] },
    ];
    const { code, replies, stderr } = await host(launcher, Buffer.concat(requests.map(frame)));
    assert.equal(code, 0, stderr);
    const [pong, added, refused] = replies as BridgeReply[];
    assert.deepEqual(pong, { ok: true, pong: true, version: '0.1.0' });
    assert.ok(added?.ok && 'results' in added && added.via === 'queue' && added.results[0]?.ok);
    assert.ok(refused?.ok && 'results' in refused && !refused.results[0]!.ok);
    assert.match((refused.results[0] as { reason: string }).reason, /unsupported scheme ftp/);
    const [rec] = await records(db);
    assert.equal(rec?.status, 'queued');
    assert.equal(rec?.folder, join(dir, 'files'));
    assert.deepEqual(rec?.options.headers, { Cookie: 'sid=…', Referer: '… (19 characters)', 'User-Agent': '… (2 characters)' });
    const listed = await braid(['list', '--db', db]);
    assert.ok(!listed.stdout.includes('hunter2') && !(await braid(['list', '--json', '--db', db])).stdout.includes('hunter2'));
  });

  it('queues when the published engine is gone (killed without withdrawing its endpoint)', async () => {
    const serving = await startServe(dir, 'host-secret');
    assert.ok(existsSync(`${db}.endpoint.json`));
    serving.child.kill('SIGKILL');
    await new Promise((r) => serving.child.once('exit', r));
    const { code, replies } = await host(launcher, frame({ type: 'add', downloads: [{ url: 'http://127.0.0.1:9/c.iso' }] }));
    assert.equal(code, 0);
    assert.equal((replies[0] as { via?: string }).via, 'queue');
  });

  it('ends on a frame over its limit, with nothing on stdout for the browser to misread', async () => {
    const huge = Buffer.alloc(4);
    huge.writeUInt32LE(0xffffffff);
    const { code, replies, stderr } = await host(launcher, huge);
    assert.equal(code, 1);
    assert.deepEqual(replies, []);
    assert.match(stderr, /over/);
  });

  it('uninstalls what it installed', async () => {
    const r = await braid(['browser-host', 'uninstall', '--browser', 'chromium', '--dir', folder]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(folder, `${BROWSER_HOST_NAME}.json`)) && !existsSync(launcher));
  });
});

describe('braid browser-host with the app named at install', () => {
  let dir: string;
  let origin: TestOrigin;
  before(async () => {
    dir = await tempDir('braid-host-app-');
    origin = await new TestOrigin().start();
  });
  after(async () => {
    await origin.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts the app when no engine is running, and the app downloads what was queued', async () => {
    const data = origin.file('/from-browser.bin', 3 * 1024 * 1024);
    const db = join(dir, 'state.db');
    const pidFile = join(dir, 'app.pid');
    // Stands in for the installed desktop app: an engine that starts on the same database and runs its queue.
    const app = join(dir, 'braid-app');
    const appEnv = join(dir, 'app.env');
    writeFileSync(app, `#!/bin/sh\necho $$ > '${pidFile}'\necho "\${ELECTRON_RUN_AS_NODE:-unset}" > '${appEnv}'\nexec '${process.execPath}' '${BRAID}' serve --port 0 --secret app --db '${db}' >/dev/null\n`, { mode: 0o755 });
    const folder = join(dir, 'hosts');
    const r = await braid(['browser-host', 'install', '--browser', 'chromium', '--dir', folder, '--db', db, '--downloads', join(dir, 'files'), '--app', app]);
    assert.equal(r.code, 0, r.stderr);
    const launcher = join(folder, 'braid-browser-host');
    assert.match(readFileSync(launcher, 'utf8'), new RegExp(`'--app' '${app}'`));
    try {
      // The app's own executable runs the host in Node mode; the app it starts must run as the app.
      const { code, replies, stderr } = await host(launcher, frame({ type: 'add', downloads: [{ url: origin.url('/from-browser.bin') }] }), { ELECTRON_RUN_AS_NODE: '1' });
      assert.equal(code, 0, stderr);
      const reply = replies[0] as BridgeReply & { via?: string; app?: string };
      assert.equal(reply.via, 'queue');
      assert.equal(reply.app, 'started');
      await waitFor(() => existsSync(join(dir, 'files', 'from-browser.bin')), 30_000, 'the app to finish the download');
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      assert.equal(sha(readFileSync(join(dir, 'files', 'from-browser.bin'))), sha(data));
      assert.equal(readFileSync(appEnv, 'utf8').trim(), 'unset', 'the app is started without ELECTRON_RUN_AS_NODE');
    } finally {
      if (existsSync(pidFile)) {
        try {
          process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGINT');
        } catch {
          /* already gone */
        }
      }
    }
  });

  it('says why when the app cannot be started, and keeps the download queued', async () => {
    const db = join(dir, 'other.db');
    const folder = join(dir, 'hosts-missing');
    const r = await braid(['browser-host', 'install', '--browser', 'chromium', '--dir', folder, '--db', db, '--app', join(dir, 'no-such-app')]);
    assert.equal(r.code, 0, r.stderr);
    const { code, replies } = await host(join(folder, 'braid-browser-host'), frame({ type: 'add', downloads: [{ url: 'http://127.0.0.1:9/later.iso' }] }));
    assert.equal(code, 0);
    const reply = replies[0] as { via?: string; app?: string; results?: { ok: boolean }[] };
    assert.equal(reply.via, 'queue');
    assert.ok(reply.results?.[0]?.ok, 'queued all the same');
    assert.match(reply.app ?? '', /cannot start the Braid app .*no-such-app/);
  });
});
