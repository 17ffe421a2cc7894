import assert from 'node:assert/strict';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { handOff } from '../../electron/cli/browser/handoff';
import { axe } from '../support/axe';
import { eventually, NO_BROWSER } from '../support/browser';
import { CappedOrigin } from '../support/capped-origin';
import { tempDir } from '../support/harness';
import { sha256, TestOrigin } from '../support/origin';
import { closeServeWindow, openServeWindow, type ServeWindow } from '../support/serve-window';

const MIB = 1024 * 1024;
const SECRET = 'refresh-e2e';
const OUTPUT = join(import.meta.dirname, 'output');
/** Engine words that must never reach the window: codes and the command line. */
const INTERNAL = /LINK_EXPIRED|CANNOT_RESUME|INVALID_OPTION|braid refresh|startOver|maxConnections|noProxy/;

describe('expired links, server limits and network settings in the window (braid serve)', { skip: NO_BROWSER }, () => {
  let origin: TestOrigin;
  let capped: CappedOrigin;
  let dir: string;
  let serve: ServeWindow['serve'];
  let browser: Browser;
  let page: Page;
  let client: ServeWindow['client'];

  const row = (name: string) => page.locator('.rows .row', { has: page.locator('.name .text', { hasText: new RegExp(`^${name.replace('.', '\\.')}$`) }) });
  const pane = () => page.getByRole('region', { name: 'Details' });
  const record = async (id: number) => (await client.api.detail(id))!.record;

  /** Adds a download of a link that expires (403, no redirect behind it) once 1 MiB was sent; waits for it to fail. */
  async function expiredDownload(path: string, size: number): Promise<{ id: number; data: Buffer }> {
    const data = origin.file(path, size, { expireAfterBytes: 1 * MIB, dropAfter: 128 * 1024, dropTimes: 1000 });
    const [added] = (await client.api.add([{ url: origin.url(path), priority: 1000 }])) as { id: number }[];
    await eventually(async () => (await record(added!.id)).status === 'failed', `${path} failing`, 60_000);
    const failed = await record(added!.id);
    assert.equal(failed.error?.code, 'LINK_EXPIRED');
    assert.ok(failed.bytesDone > 0, 'some bytes are on disk');
    return { id: added!.id, data };
  }

  before(async () => {
    origin = await new TestOrigin().start();
    capped = await new CappedOrigin(12 * MIB, 2, 512 * 1024, '503').start();
    dir = await tempDir('braid-refresh-e2e-');
    await mkdir(OUTPUT, { recursive: true });
    ({ serve, client, browser, page } = await openServeWindow(dir, SECRET));
  });

  after(async () => {
    await closeServeWindow({ serve, client, browser });
    await origin.close();
    await capped?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes an expired link to a byte-identical file through the dialog, refusing a different file first', async () => {
    const size = 3 * MIB;
    const { id, data } = await expiredDownload('/old/e.bin', size);
    const kept = (await record(id)).bytesDone;
    origin.file('/other/e.bin', 2 * MIB);
    origin.serve('/new/e.bin', data);

    await row('e.bin').and(page.locator('[data-status="failed"]')).click();
    const toolbar = page.getByRole('toolbar', { name: 'Actions' });
    await toolbar.getByRole('button', { name: 'Retry' }).waitFor();
    assert.equal(await toolbar.getByRole('button', { name: 'Resume' }).count(), 0, 'a failed download is retried, in the toolbar as in its pane');
    const error = pane().getByRole('note');
    await error.getByText(/the link expired/).waitFor();
    assert.doesNotMatch((await error.textContent()) ?? '', INTERNAL);
    const open = pane().getByRole('button', { name: 'Refresh link…' });
    assert.match((await open.getAttribute('class')) ?? '', /prominent/, 'the way out of an expired link stands out');
    await open.click();

    const dialog = page.getByRole('dialog', { name: 'Refresh link of “e.bin”' });
    const field = dialog.getByLabel('New link');
    await field.fill('not a link');
    await dialog.getByRole('button', { name: 'Check and continue' }).click();
    await dialog.getByText('This is not a web address.').waitFor();

    // Another file (another size): refused with nothing changed, and starting over is offered.
    await field.fill(origin.url('/other/e.bin'));
    await field.press('Enter');
    const refusal = dialog.getByRole('alert');
    await refusal.getByText('This link gives a different file.').waitFor();
    await refusal.getByText(/Nothing was changed\./).waitFor();
    await refusal.getByRole('button', { name: 'Start over from this link' }).waitFor();
    assert.doesNotMatch((await dialog.textContent()) ?? '', INTERNAL);
    assert.equal((await record(id)).url, origin.url('/old/e.bin'), 'the refused link changed nothing');
    await page.screenshot({ path: join(OUTPUT, 'refresh-link-refused.png') });
    await axe(page, 'refresh link dialog, refused');

    // The same file at a new address: proven by its ETag, and the bytes on disk are kept.
    await field.fill(origin.url('/new/e.bin'));
    await dialog.getByRole('button', { name: 'Check and continue' }).click();
    const outcome = dialog.getByRole('status');
    await outcome.getByText('Same file: the download goes on from the new link.').waitFor();
    await outcome.getByText(/the same size and the same ETag/).waitFor();
    await outcome.getByText(/already downloaded kept\./).waitFor();
    await page.screenshot({ path: join(OUTPUT, 'refresh-link-done.png') });
    await axe(page, 'refresh link dialog, done');
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await dialog.waitFor({ state: 'detached' });

    await row('e.bin').and(page.locator('[data-status="completed"]')).waitFor({ timeout: 60_000 });
    assert.equal(sha256(await readFile(join(dir, 'files', 'e.bin'))), sha256(data), 'byte-identical');
    const asked = origin
      .requests('/new/e.bin')
      .filter((l) => l.method === 'GET' && l.status >= 200 && l.status < 300)
      .reduce((n, l) => {
        const m = /^bytes=(\d+)-(\d*)$/.exec(l.range ?? '');
        return n + (m ? (m[2] ? Number(m[2]) + 1 : size) - Number(m[1]) : size);
      }, 0);
    assert.ok(asked <= size - kept, `the ${kept} bytes on disk were kept (asked for ${asked})`);
    await pane().getByText(/^Link replaced by you at \d/).waitFor();
  });

  it("catches the link from the browser's next download: waits in the dialog, then goes on from it", async () => {
    const size = 3 * MIB;
    const { id, data } = await expiredDownload('/old/c.bin', size);
    origin.serve('/fresh/c.bin', data, { cookie: 'sid=fresh' });
    await row('c.bin').and(page.locator('[data-status="failed"]')).click();
    // The toasts of the downloads before (stacked ones are drawn faded while they animate) are not this dialog's.
    const toasts = page.locator('[data-sonner-toast]');
    for (let i = 0; i < 10 && (await toasts.count()) > 0; i++) {
      await toasts.first().getByRole('button', { name: 'Close toast' }).click({ timeout: 2_000 }).catch(() => undefined);
      await page.waitForTimeout(200);
    }
    await pane().getByRole('button', { name: 'Refresh link…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Refresh link of “c.bin”' });
    await dialog.getByRole('button', { name: 'Catch the next download from the browser' }).click();
    const waiting = dialog.getByRole('status');
    await waiting.getByText('Waiting for the browser…').waitFor();
    await waiting.getByText(/Click the site’s download button again/).waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Check and continue' }).isDisabled(), true, 'one way at a time');
    await page.screenshot({ path: join(OUTPUT, 'refresh-link-catching.png') });
    await axe(page, 'refresh link dialog, waiting for the browser');

    // Stopping and catching again: the catch is the dialog's, called off with it.
    await waiting.getByRole('button', { name: 'Stop waiting' }).click();
    await dialog.getByRole('button', { name: 'Catch the next download from the browser' }).click();
    await waiting.getByText('Waiting for the browser…').waitFor();

    // What the extension sends through `braid browser-host` when the site's button is clicked again.
    const reply = await handOff([{ url: origin.url('/fresh/c.bin'), name: 'c.bin', size, cookies: 'sid=fresh' }], { databasePath: join(dir, 'state.db') });
    assert.deepEqual(reply, { ok: true, via: 'engine', results: [{ ok: true, id }] });
    const outcome = dialog.getByRole('status');
    await outcome.getByText('Same file: the download goes on from the new link.').waitFor();
    await outcome.getByText(/the browser cancelled/).waitFor();
    assert.doesNotMatch((await dialog.textContent()) ?? '', INTERNAL);
    await axe(page, 'refresh link dialog, caught');
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await row('c.bin').and(page.locator('[data-status="completed"]')).waitFor({ timeout: 60_000 });
    assert.equal(sha256(await readFile(join(dir, 'files', 'c.bin'))), sha256(data), 'byte-identical');
    assert.equal((await client.api.list({ limit: 1000 })).items.filter((d) => d.name === 'c.bin').length, 1, 'no second download');
  });

  it('starts over from a different file when asked, from the context menu', async () => {
    const { id } = await expiredDownload('/old/f.bin', 3 * MIB);
    const other = origin.file('/other/f.bin', 2 * MIB);
    await row('f.bin').click({ button: 'right' });
    await page.getByRole('menu').getByRole('menuitem', { name: 'Refresh link…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Refresh link of “f.bin”' });
    await dialog.getByLabel('New link').fill(origin.url('/other/f.bin'));
    await dialog.getByRole('button', { name: 'Check and continue' }).click();
    await dialog.getByRole('alert').getByRole('button', { name: 'Start over from this link' }).click();
    await dialog.getByRole('status').getByText('Starting over from the new link.').waitFor();
    await page.keyboard.press('Escape');
    await row('f.bin').and(page.locator('[data-status="completed"]')).waitFor({ timeout: 60_000 });
    assert.equal(sha256(await readFile(join(dir, 'files', 'f.bin'))), sha256(other), 'the new link’s file, whole');
    assert.equal((await record(id)).linkRefresh?.by, 'user');
  });

  it('says when a signed link was refreshed from the original URL', async () => {
    const data = origin.file('/signed/s.bin', 3 * MIB, { signed: true, rate: 1 * MIB, dropAfter: 256 * 1024, dropTimes: 1000 });
    origin.signedRedirect('/dl/s.bin', '/signed/s.bin', 700);
    await client.api.add([{ url: origin.url('/dl/s.bin'), priority: 1000 }]);
    await row('s.bin').and(page.locator('[data-status="completed"]')).waitFor({ timeout: 60_000 });
    assert.equal(sha256(await readFile(join(dir, 'files', 's.bin'))), sha256(data));
    await row('s.bin').click();
    await pane().getByText(/^Link refreshed from the original URL at \d/).waitFor();
    await page.screenshot({ path: join(OUTPUT, 'pane-link-refreshed.png') });
  });

  it('shows the connections a server allows, once Braid learned it', async () => {
    const [added] = (await client.api.add([{ url: capped.url(), priority: 1000, options: { segments: 8 } }])) as { id: number }[];
    await row('capped.bin').and(page.locator('[data-status="active"]')).click();
    await pane().getByText(`${capped.host} allows 2 connections`).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(OUTPUT, 'pane-host-limit.png') });
    await client.api.remove([added!.id], { deleteFile: true });
  });

  it('adds a download with its own connections per server and no proxy, refusing a bad proxy first', async () => {
    const data = origin.file('/own/opts.bin', 256 * 1024);
    await page.keyboard.press('Control+n');
    const dialog = page.getByRole('dialog', { name: 'Add downloads' });
    await dialog.getByLabel('URLs to add').fill(origin.url('/own/opts.bin'));
    await dialog.getByLabel('Connections per server').fill('2');
    await dialog.getByLabel('Proxy').fill('ftp://proxy:21');
    await dialog.getByRole('button', { name: 'Queue' }).click();
    await dialog.getByText('A proxy address starts with http://, https:// or socks5://.').waitFor();
    await dialog.getByLabel('Proxy').fill('direct');
    await dialog.getByRole('button', { name: 'Queue' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('opts.bin').and(page.locator('[data-status="completed"]')).waitFor({ timeout: 30_000 });
    const id = Number(await row('opts.bin').getAttribute('data-id'));
    assert.deepEqual((await record(id)).options, { maxPerServer: 2, proxy: '' });
    assert.equal(sha256(await readFile(join(dir, 'files', 'opts.bin'))), sha256(data));
  });

  it('saves the Network settings, refuses a bad proxy in plain words, and never shows its password', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByLabel('Connections per server').fill('0');
    await dialog.getByLabel('Connections in all').fill('2000');
    await dialog.getByLabel('Proxy', { exact: true }).fill('ftp://proxy.example:21');
    await dialog.getByLabel('Reach directly, without the proxy').fill('localhost, http://intranet/');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Enter a number from 1 to 32.').waitFor();
    await dialog.getByText('Enter a number from 1 to 1024.').waitFor();
    await dialog.getByText('A proxy address starts with http://, https:// or socks5://.').waitFor();
    await dialog.getByText(/“http:\/\/intranet\/” is not a host/).waitFor();
    assert.doesNotMatch((await dialog.textContent()) ?? '', INTERNAL);
    await page.screenshot({ path: join(OUTPUT, 'settings-network-errors.png') });
    await axe(page, 'settings with network errors');

    await dialog.getByLabel('Proxy', { exact: true }).fill('http//proxy');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Enter a proxy address such as http://proxy:3128 or socks5://proxy:1080.').waitFor();

    await dialog.getByLabel('Connections per server').fill('4');
    await dialog.getByLabel('Connections in all').fill('200');
    await dialog.getByLabel('Proxy', { exact: true }).fill('http://alice@127.0.0.1:3128');
    await dialog.getByLabel('Proxy password').fill('s3cret:p@ss');
    await dialog.getByLabel('Reach directly, without the proxy').fill('localhost, 127.0.0.1, .example.com');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const saved = await client.api.getSettings();
    assert.equal(saved.maxConnectionsPerServer, 4);
    assert.equal(saved.maxConnections, 200);
    assert.equal(saved.noProxy, 'localhost, 127.0.0.1, .example.com');
    assert.equal(decodeURIComponent(new URL(saved.proxy).password), 's3cret:p@ss');
    assert.equal(new URL(saved.proxy).username, 'alice');

    // Opened again: the address without its password; the password only in a password field.
    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    assert.equal(await dialog.getByLabel('Proxy', { exact: true }).inputValue(), 'http://alice@127.0.0.1:3128');
    assert.equal(await dialog.getByLabel('Proxy password').getAttribute('type'), 'password');
    assert.equal(await dialog.getByLabel('Connections per server').inputValue(), '4');
    const shown = await dialog.locator('input:not([type="password"])').evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value).join('\n'));
    assert.doesNotMatch(`${shown}\n${(await dialog.textContent()) ?? ''}`, /s3cret/);

    // A password typed into the address is taken, and kept out of sight the next time.
    await dialog.getByLabel('Proxy', { exact: true }).fill('socks5://bob:hunter2@127.0.0.1:1080');
    await dialog.getByLabel('Proxy password').fill('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await client.api.getSettings()).proxy, 'socks5://bob:hunter2@127.0.0.1:1080');
    await page.getByRole('button', { name: 'Settings' }).click();
    assert.equal(await dialog.getByLabel('Proxy', { exact: true }).inputValue(), 'socks5://bob@127.0.0.1:1080');
    await dialog.getByLabel('Proxy', { exact: true }).fill('');
    await dialog.getByLabel('Proxy password').fill('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await client.api.getSettings()).proxy, '');
  });
});
