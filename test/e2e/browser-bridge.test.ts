import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { CHROMIUM_EXTENSION_ID } from '../../shared/browser-bridge';
import type { DownloadRecord, ListPage } from '../../shared/types';
import { braid } from '../support/cli';
import { tempDir } from '../support/harness';
import { sha256, TestOrigin } from '../support/origin';
import { startServe, stopServe, type Serving } from '../support/serve';

// The built extension in Debian's Chromium, talking to the built `braid browser-host` through native messaging:
// the browser finds the host manifest in the profile's NativeMessagingHosts folder.

const MIB = 1024 * 1024;
const CHROMIUM = '/usr/bin/chromium';
const EXTENSION = join(import.meta.dirname, '../../out/extension');
// Written on every run (git ignores it); the README's copy is test/e2e/screenshots/extension-popup.png.
const SHOTS = join(import.meta.dirname, 'output');
const SECRET = 'bridge-secret';
const SESSION = 'session=s3cret-value-123';
/**
 * Bytes per second each answer is served at. The extension pauses a download only after the browser announces it,
 * and a local file served at full speed can be finished by then on a busy machine, leaving nothing to take over.
 */
const RATE = MIB;

/** The few extension globals the snippets run in the service worker use; the test compiles without their types. */
declare const chrome: {
  downloads: { search(query: object): Promise<{ url: string; state: string; exists: boolean }[]> };
  storage: { local: { get(key: string): Promise<{ activity?: { name: string; ok: boolean; note: string }[] }> } };
};

async function records(dir: string): Promise<DownloadRecord[]> {
  const r = await braid(['list', '--json', '--db', join(dir, 'state.db')]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as ListPage & { items: DownloadRecord[] }).items as unknown as DownloadRecord[];
}

/** Polls the database until the download of `url` is there and `done` says so (bounded by count and time). */
async function waitForRecord(dir: string, url: string, done: (r: DownloadRecord) => boolean, what: string): Promise<DownloadRecord> {
  const deadline = Date.now() + 60_000;
  for (let i = 0; i < 600; i++) {
    const found = (await records(dir)).find((r) => r.url === url);
    if (found && done(found)) return found;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}: ${JSON.stringify((await records(dir)).find((r) => r.url === url))}`);
}

async function activity(worker: Worker): Promise<{ name: string; ok: boolean; note: string }[]> {
  return worker.evaluate(async () => (await chrome.storage.local.get('activity')).activity ?? []);
}

async function waitForActivity(worker: Worker, count: number): Promise<{ name: string; ok: boolean; note: string }> {
  for (let i = 0; i < 300; i++) {
    const entries = await activity(worker);
    if (entries.length >= count) return entries[0]!;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the extension recorded ${(await activity(worker)).length} handovers, not ${count}`);
}

async function browserDownloadsOf(worker: Worker, url: string) {
  return worker.evaluate((u) => chrome.downloads.search({ url: u }), url);
}

describe('the browser extension hands downloads to Braid', { skip: !existsSync(CHROMIUM) ? 'no /usr/bin/chromium (apt-get install chromium)' : false }, () => {
  let origin: TestOrigin;
  let dir: string;
  let profile: string;
  let serve: Serving | undefined;
  let context: BrowserContext;
  let worker: Worker;
  let page: Page;

  const install = async (db: string) => {
    const r = await braid(['browser-host', 'install', '--browser', 'chromium', '--dir', join(profile, 'NativeMessagingHosts'), '--db', db, '--downloads', join(dir, 'files')]);
    assert.equal(r.code, 0, r.stderr);
  };

  /** Opens the page (which sets the session cookie) and clicks the link to `path`. */
  const clickLink = async (path: string, modifiers: 'Alt'[] = []) => {
    await page.goto(origin.url('/'));
    await page.click(`a[href="${path}"]`, { modifiers });
  };

  /** The browser downloads `path` itself, to the same bytes. */
  const browserKeeps = async (path: string, data: Buffer, modifiers: 'Alt'[] = []) => {
    const download = page.waitForEvent('download');
    await clickLink(path, modifiers);
    assert.equal(sha256(await readFile(await (await download).path())), sha256(data), 'the browser finished its own download');
    const [item] = await browserDownloadsOf(worker, origin.url(path));
    assert.equal(item?.state, 'complete');
    assert.ok(!(await records(dir)).some((r) => r.url === origin.url(path)), 'Braid did not queue it');
  };

  before(async () => {
    assert.ok(existsSync(join(EXTENSION, 'manifest.json')), 'run npm run build first: out/extension/ is missing');
    origin = await new TestOrigin().start();
    origin.page(
      '/',
      '<!doctype html><title>files</title>' +
        ['report', 'later', 'kept', 'alt', 'unreached'].map((n) => `<a href="/${n}.bin">${n}</a>`).join(' '),
      { 'set-cookie': `${SESSION}; Path=/; HttpOnly` },
    );
    dir = await tempDir('braid-bridge-');
    profile = join(dir, 'profile');
    await mkdir(join(profile, 'NativeMessagingHosts'), { recursive: true });
    await mkdir(SHOTS, { recursive: true });
    await install(join(dir, 'state.db'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      args: [
        '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        `--disable-extensions-except=${EXTENSION}`, `--load-extension=${EXTENSION}`,
      ],
    });
    worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
    page = await context.newPage();
  });

  after(async () => {
    await context?.close();
    await stopServe(serve);
    await origin?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('loads with the fixed ID the host manifest allows', () => {
    assert.equal(new URL(worker.url()).host, CHROMIUM_EXTENSION_ID);
  });

  it('hands a download behind a session cookie to a running braid serve, which fetches it byte-identical with the cookie', async () => {
    const data = origin.file('/report.bin', 6 * MIB, { cookie: SESSION, rate: RATE, contentDisposition: 'attachment; filename="report.bin"' });
    serve = await startServe(dir, SECRET);
    const endpoint = `${join(dir, 'state.db')}.endpoint.json`;
    assert.equal(statSync(endpoint).mode & 0o777, 0o600, 'the endpoint file is readable by its user alone');

    await clickLink('/report.bin');
    const rec = await waitForRecord(dir, origin.url('/report.bin'), (r) => r.status === 'completed' || r.status === 'failed', 'Braid took and finished it');
    assert.equal(rec.status, 'completed', JSON.stringify(rec.error));
    assert.equal(sha256(await readFile(join(rec.folder, rec.name!))), sha256(data));
    assert.equal(rec.folder, join(dir, 'files'));

    const braidRequests = origin.requests('/report.bin').filter((l) => l.status !== 0 && l.headers['user-agent'] !== undefined);
    assert.ok(braidRequests.some((l) => l.range !== undefined), 'Braid fetched ranges');
    assert.ok(origin.requests('/report.bin').every((l) => l.range === undefined || l.headers.cookie === SESSION), 'every ranged request carried the cookie');
    assert.ok(origin.requests('/report.bin').some((l) => l.range !== undefined && l.headers.referer === origin.url('/')), 'and the referrer');
    assert.deepEqual(rec.options.headers, undefined, 'the cookie is forgotten once the download is done');

    const entry = await waitForActivity(worker, 1);
    assert.deepEqual([entry.ok, entry.note], [true, 'Braid is downloading it']);
    assert.deepEqual(await browserDownloadsOf(worker, origin.url('/report.bin')), [], "the browser's own download was cancelled and erased");
  });

  it('queues into the database when no engine runs, and the next start downloads it', async () => {
    await stopServe(serve);
    serve = undefined;
    assert.ok(!existsSync(`${join(dir, 'state.db')}.endpoint.json`), 'a stopped serve withdraws its endpoint');
    const data = origin.file('/later.bin', 3 * MIB, { cookie: SESSION, rate: RATE, contentDisposition: 'attachment; filename="later.bin"' });
    const before = origin.requests('/later.bin').length;

    await clickLink('/later.bin');
    const queued = await waitForRecord(dir, origin.url('/later.bin'), () => true, 'queued in the database');
    assert.equal(queued.status, 'queued');
    assert.equal(queued.options.headers?.['Cookie'], 'session=…', '`braid list` masks the cookie');
    const entry = await waitForActivity(worker, 2);
    assert.deepEqual([entry.ok, entry.note], [true, 'queued: Braid runs it when it next starts']);
    assert.deepEqual(await browserDownloadsOf(worker, origin.url('/later.bin')), []);
    const byBrowser = origin.requests('/later.bin').length - before;

    serve = await startServe(dir, SECRET);
    const rec = await waitForRecord(dir, origin.url('/later.bin'), (r) => r.status === 'completed' || r.status === 'failed', 'the next start ran it');
    assert.equal(rec.status, 'completed', JSON.stringify(rec.error));
    assert.equal(sha256(await readFile(join(rec.folder, rec.name!))), sha256(data));
    const byBraid = origin.requests('/later.bin').slice(before + byBrowser);
    assert.ok(byBraid.length > 0 && byBraid.every((l) => l.headers.cookie === SESSION && l.status !== 403), 'Braid sent the cookie the browser had');
    await stopServe(serve);
    serve = undefined;
  });

  it('leaves the download to the browser when Braid refuses it, and says why', async () => {
    // A database Braid cannot open: the host refuses.
    const unusable = join(dir, 'not-a-database');
    await mkdir(unusable);
    await install(unusable);
    const data = origin.file('/kept.bin', 2 * MIB, { cookie: SESSION, rate: RATE, contentDisposition: 'attachment; filename="kept.bin"' });

    const kept = browserKeeps('/kept.bin', data);
    const entry = await waitForActivity(worker, 3);
    assert.equal(entry.ok, false);
    assert.match(entry.note, /^Braid could not queue it: /);
    await kept;
  });

  it('shows its settings, whether Braid answers and the recent handovers in its popup', async () => {
    const popup = await context.newPage();
    await popup.setViewportSize({ width: 368, height: 420 });
    await popup.goto(`chrome-extension://${CHROMIUM_EXTENSION_ID}/popup.html`);
    await popup.getByText('Braid is ready').waitFor();
    assert.equal(await popup.locator('#threshold').inputValue(), '1');
    assert.equal(await popup.locator('#activity li').count(), 3);
    await popup.screenshot({ path: join(SHOTS, 'extension-popup.png') });
    await popup.close();
  });

  it('leaves an Alt-clicked link to the browser', async () => {
    await install(join(dir, 'state.db'));
    const data = origin.file('/alt.bin', 2 * MIB, { cookie: SESSION, rate: RATE, contentDisposition: 'attachment; filename="alt.bin"' });
    await browserKeeps('/alt.bin', data, ['Alt']);
    assert.equal((await activity(worker)).length, 3, 'Braid was not asked');
  });

  it('leaves the download to the browser when Braid is not reachable, and says why', async () => {
    const r = await braid(['browser-host', 'uninstall', '--browser', 'chromium', '--dir', join(profile, 'NativeMessagingHosts')]);
    assert.equal(r.code, 0, r.stderr);
    const data = origin.file('/unreached.bin', 2 * MIB, { cookie: SESSION, rate: RATE, contentDisposition: 'attachment; filename="unreached.bin"' });
    const kept = browserKeeps('/unreached.bin', data);
    const entry = await waitForActivity(worker, 4);
    assert.equal(entry.ok, false);
    assert.match(entry.note, /^Braid is not reachable \(.+\); run "braid browser-host install/);
    await kept;
  });
});
