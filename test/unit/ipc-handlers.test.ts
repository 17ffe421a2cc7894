import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { BraidApi } from '../../shared/api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleCall, isTrustedSender, urlsFromArgv } from '../../electron/main/ipc-handlers';
import { createEngine } from '../../electron/engine/index';
import { openDatabase } from '../../electron/store/database';
import { SqliteDownloadRepository } from '../../electron/store/download-repository';

const packaged = { indexFile: '/opt/Braid/resources/app/out/renderer/index.html' };
const dev = { devServerUrl: 'http://localhost:5173/', indexFile: '/x/index.html' };

describe('IPC sender check', () => {
  it('trusts only the packaged page, by parsed URL', () => {
    assert.ok(isTrustedSender('file:///opt/Braid/resources/app/out/renderer/index.html', packaged));
    assert.ok(isTrustedSender('file:///opt/Braid/resources/app/out/renderer/index.html#x', packaged));
    for (const url of [
      'file:///tmp/evil.html',
      'file:///opt/Braid/resources/app/out/renderer/index.html.evil.html',
      'file://evil-host/opt/Braid/resources/app/out/renderer/index.html',
      'https://example.com/opt/Braid/resources/app/out/renderer/index.html',
      'not a url',
      '',
      undefined,
    ]) {
      assert.equal(isTrustedSender(url, packaged), false, String(url));
    }
  });

  it('trusts the dev server origin only in development', () => {
    assert.ok(isTrustedSender('http://localhost:5173/index.html', dev));
    assert.equal(isTrustedSender('http://localhost:5174/', dev), false);
    assert.equal(isTrustedSender('http://localhost:5173.evil.com/', dev), false);
    assert.equal(isTrustedSender('file:///x/index.html', dev), false);
  });

  it('answers an untrusted or malformed call with an error, and never reaches the engine', async () => {
    let reached = false;
    const api = new Proxy({} as BraidApi, { get: () => async () => ((reached = true), []) });
    const untrusted = await handleCall(api, packaged, 'https://evil.example/', 'pause', [[1]]);
    assert.deepEqual(untrusted.ok, false);
    const malformed = await handleCall(api, packaged, 'file:///opt/Braid/resources/app/out/renderer/index.html', 'pause', [['x']]);
    assert.equal(malformed.ok, false);
    assert.equal(reached, false);
    const fine = await handleCall(api, packaged, 'file:///opt/Braid/resources/app/out/renderer/index.html', 'pause', [[1]]);
    assert.equal(fine.ok, true);
    assert.equal(reached, true);
  });
});

describe('IPC handler fuzzed', () => {
  it('answers any sender, method and payload with a reply, and lets nothing from another page reach the engine', async () => {
    let reached = 0;
    const api = new Proxy({} as BraidApi, { get: () => async () => ((reached++), []) });
    const trusted = 'file:///opt/Braid/resources/app/out/renderer/index.html';
    const sender = fc.oneof(fc.constant(trusted), fc.constant(undefined), fc.webUrl(), fc.string(), fc.constant(`${trusted}.evil.html`));
    const method = fc.oneof(fc.constantFrom('add', 'importList', 'pause', 'resume', 'retry', 'remove', 'refreshLink', 'catchLink', 'cancelCatch', 'move', 'list', 'detail', 'open', 'getSettings', 'setSettings', 'onEvent', '__proto__', 'constructor'), fc.anything());
    await fc.assert(
      fc.asyncProperty(sender, method, fc.anything(), async (frameUrl, m, args) => {
        const before = reached;
        const reply = await handleCall(api, packaged, frameUrl, m, args);
        assert.equal(typeof reply.ok, 'boolean');
        if (!reply.ok) assert.equal(reply.error.code, 'INVALID_OPTION');
        if (frameUrl !== trusted) {
          assert.equal(reply.ok, false);
          assert.equal(reached, before, 'an untrusted call reached the engine');
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('URLs from a second launch', () => {
  it('takes http(s) arguments, after -- when present', () => {
    assert.deepEqual(urlsFromArgv(['/opt/braid', '--flag', 'https://a/x', 'ftp://b', 'http://c/y']), ['https://a/x', 'http://c/y']);
    assert.deepEqual(urlsFromArgv(['/opt/braid', 'https://ignored', '--', 'https://a/x']), ['https://a/x']);
  });
});

describe('open and show in folder', () => {
  it('acts on the path the store holds for the id, never on one from the caller, through the host\'s shell', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'braid-open-'));
    const db = openDatabase(join(dir, 'state.db'));
    const repo = new SqliteDownloadRepository(db);
    const base = { mirrors: [] as string[], folder: '/downloads', requestedName: null, options: {}, stopReason: null, priority: 0, size: null };
    const [done, waiting] = repo.insertMany([
      { ...base, url: 'http://127.0.0.1/done.iso', status: 'paused' },
      { ...base, url: 'http://127.0.0.1/waiting.iso', status: 'paused' },
    ]);
    repo.update(done!, { status: 'completed', name: 'done.iso', size: 1, bytesDone: 1, completedAt: Date.now() });
    const opened: string[] = [];
    const desktop = createEngine({
      repo,
      shell: {
        openFile: async (path) => (opened.push(`file ${path}`), ''),
        showInFolder: (path) => void opened.push(`folder ${path}`),
        chooseFolder: async (start) => `${start}/chosen`,
        browserHost: async (browser, action) => `${action} ${browser}`,
      },
    });
    const trusted = 'file:///opt/Braid/resources/app/out/renderer/index.html';
    assert.equal((await handleCall(desktop, packaged, trusted, 'open', [done, 'file'])).ok, true);
    assert.equal((await handleCall(desktop, packaged, trusted, 'open', [done, 'folder'])).ok, true);
    const notDone = await handleCall(desktop, packaged, trusted, 'open', [waiting, 'file']);
    assert.equal(notDone.ok, false);
    const withPath = await handleCall(desktop, packaged, trusted, 'open', ['/etc/passwd', 'file']);
    assert.equal(withPath.ok, false, 'a path instead of an id is refused');
    assert.deepEqual(opened, ['file /downloads/done.iso', 'folder /downloads/done.iso']);
    assert.deepEqual(await handleCall(desktop, packaged, trusted, 'chooseFolder', ['/downloads']), { ok: true, value: '/downloads/chosen' });
    assert.deepEqual(await handleCall(desktop, packaged, trusted, 'browserHost', ['firefox', 'install']), { ok: true, value: 'install firefox' });
    const noSuchBrowser = await handleCall(desktop, packaged, trusted, 'browserHost', ['netscape', 'install']);
    assert.equal(noSuchBrowser.ok, false, 'only the browsers Braid knows');

    // Without a shell (the CLI, `braid serve`) the engine refuses.
    const headless = createEngine({ repo });
    const refused = await handleCall(headless, packaged, trusted, 'open', [done, 'file']);
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.error.message, /desktop app only/);
    const noDialog = await handleCall(headless, packaged, trusted, 'chooseFolder', ['/downloads']);
    assert.match(noDialog.ok ? '' : noDialog.error.message, /choosing a folder is available in the desktop app only/);
    const noHost = await handleCall(headless, packaged, trusted, 'browserHost', ['chromium', 'install']);
    assert.match(noHost.ok ? '' : noHost.error.message, /braid browser-host install/);
    await desktop.close();
    await headless.close();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });
});
