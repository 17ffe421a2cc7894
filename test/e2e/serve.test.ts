import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { eventually, launchChromium, NO_BROWSER } from '../support/browser';
import { tempDir } from '../support/harness';
import { sha256, TestOrigin } from '../support/origin';
import { socketOutcome, startServe, stopServe, type Serving } from '../support/serve';
import { connectApi } from '../support/ws-api';

const MIB = 1024 * 1024;
const SECRET = 'e2e-secret';

/** The few DOM names the in-page snippets use; the test compiles without the DOM's types. */
interface PageGlobals {
  DataTransfer: new () => { setData(type: string, value: string): void };
  ClipboardEvent: new (type: string, init: object) => unknown;
  dispatchEvent(event: unknown): boolean;
}

describe('braid serve in a real browser', { skip: NO_BROWSER }, () => {
  let origin: TestOrigin;
  let dir: string;
  let serve: Serving;
  let browser: Browser;
  let page: Page;
  let client: Awaited<ReturnType<typeof connectApi>>;

  const rows = () => page.locator('.rows .row[data-id]');
  const row = (name: string | RegExp) => page.locator('.rows .row', { has: page.locator('.name .text', { hasText: name }) });
  const selectedNames = async () => page.locator('.rows .row[aria-selected="true"] .name .text').allTextContents();
  const statusOf = async (id: number) => (await client.api.detail(id))?.record.status;

  before(async () => {
    origin = await new TestOrigin().start();
    dir = await tempDir('braid-e2e-');
    serve = await startServe(dir, SECRET);
    client = await connectApi(serve.url, SECRET);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  after(async () => {
    client?.close();
    await browser?.close();
    await stopServe(serve);
    await origin.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a WebSocket without the secret, and one from a foreign origin', async () => {
    const api = serve.url.replace('http:', 'ws:') + '/api';
    assert.equal(await socketOutcome(api, {}, [JSON.stringify({ type: 'hello', secret: 'wrong' })]), 'closed 4401');
    assert.equal(await socketOutcome(api, { origin: 'http://evil.example' }, [JSON.stringify({ type: 'hello', secret: SECRET })]), 'refused 401');
    assert.match(await socketOutcome(api, { origin: serve.url }, [JSON.stringify({ type: 'hello', secret: SECRET })]), /"ready"/);
  });

  it('says what to do when the address has no secret, or a wrong one', async () => {
    await page.goto(`${serve.url}/`);
    await page.getByRole('heading', { name: 'This page needs its secret' }).waitFor();
    await page.goto(`${serve.url}/#secret=wrong`);
    await page.reload();
    await page.getByRole('heading', { name: 'The secret in this address is not accepted' }).waitFor();
  });

  it('previews name and size in the Add dialog, keeps refused lines marked, and starts only on Start', async () => {
    const data = origin.file('/ui.bin', 48 * MIB, { rate: 1 * MIB }); // ~6 s at 8 connections: time to look at it while it runs
    await page.goto(`${serve.url}/#secret=${SECRET}`);
    await page.reload();
    await page.getByText('No downloads yet').waitFor();
    await page.keyboard.press('Control+n');
    const dialog = page.getByRole('dialog', { name: 'Add downloads' });
    await dialog.getByLabel('URLs to add').fill([origin.url('/ui.bin'), 'ftp://example/nope', origin.url('/missing.bin')].join('\n'));
    const preview = dialog.getByRole('list', { name: 'What will be added' });
    await preview.locator('li', { hasText: 'ui.bin' }).getByText('48 MiB').waitFor();
    await preview.locator('li.refused', { hasText: 'ftp://example/nope' }).getByText(/Refused: unsupported scheme ftp:/).waitFor();
    await preview.locator('li.refused', { hasText: '/missing.bin' }).getByText(/Refused: .*404/).waitFor();
    await dialog.getByText('1 of 3 will be added').waitFor();
    assert.equal(await rows().count(), 0, 'a preview adds nothing');

    await dialog.getByRole('button', { name: 'Start now' }).click();
    await row('ui.bin').and(page.locator('[data-status="active"]')).waitFor();
    // Ahead of the queue by its place in it, not by a priority that would keep it ahead of every later move.
    const first = (await client.api.list({ offset: 0, limit: 1 })).items[0];
    // By its URL: the row shows the name from the URL at once, the record has the server's name only once probed.
    assert.equal(first?.url, origin.url('/ui.bin'));
    assert.equal(first?.priority, 0);
    const left = await dialog.getByLabel('URLs to add').inputValue();
    assert.deepEqual(left.split('\n'), ['ftp://example/nope', origin.url('/missing.bin')], 'the refused lines stay in the box');
    await dialog.getByText('1 added · 2 left here, not added').waitFor();
    await preview.locator('li.refused').nth(1).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // Progress and speed move in the row; the pane shows memory against the cap and acts on the download.
    const r = row('ui.bin');
    await eventually(async () => parseFloat((await r.locator('.pct').textContent()) ?? '') > 5 && /MiB\/s$/.test((await r.locator('.speed').textContent()) ?? ''), 'progress and speed');
    await r.click();
    const pane = page.getByRole('region', { name: 'Details' });
    await pane.getByText(/of 4 MiB$/).waitFor();
    assert.match((await page.locator('.speed-chart .chart-now').textContent()) ?? '', /B\/s$/);
    await pane.getByRole('button', { name: 'Pause' }).click();
    await r.and(page.locator('[data-status="paused"]')).waitFor();
    await pane.getByRole('button', { name: 'Resume' }).click();
    await r.and(page.locator('[data-status="completed"]')).waitFor({ timeout: 30_000 });
    await page.getByRole('status').or(page.locator('[data-sonner-toast]')).getByText('Download complete').first().waitFor();
    assert.equal(sha256(await readFile(join(dir, 'files', 'ui.bin'))), sha256(data));
  });

  it('offers a pasted link in the dialog instead of starting it, and asks before downloading it again', async () => {
    await page.evaluate((url) => {
      const g = globalThis as unknown as PageGlobals;
      const data = new g.DataTransfer();
      data.setData('text/plain', url);
      g.dispatchEvent(new g.ClipboardEvent('paste', { clipboardData: data }));
    }, origin.url('/ui.bin'));
    const dialog = page.getByRole('dialog', { name: 'Add downloads' });
    assert.equal(await dialog.getByLabel('URLs to add').inputValue(), origin.url('/ui.bin'));
    const known = dialog.getByRole('group', { name: 'Already known: ui.bin' });
    await known.getByText('Already downloaded').waitFor();
    await dialog.getByText('0 of 1 will be added').waitFor();
    assert.ok(await dialog.getByRole('button', { name: 'Start now' }).isDisabled(), 'a duplicate is skipped unless chosen');
    await known.getByLabel('Download again').check();
    await dialog.getByRole('button', { name: 'Queue' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('ui (1).bin').waitFor();
  });

  it('imports a list file through the same dialog, with its per-line report', async () => {
    const list = join(dir, 'import.txt');
    await writeFile(list, ['# a comment', 'not a url', `${origin.url('/ui.bin')}`, '  split=99', 'javascript:alert(1)', ''].join('\n'));
    await page.getByRole('toolbar', { name: 'Actions' }).getByRole('button', { name: 'Add' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add downloads' });
    await dialog.getByLabel('Import list').setInputFiles(list);
    await dialog.getByText('import.txt').waitFor();
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    const report = dialog.getByLabel('Import report');
    await report.getByText('import.txt: 1 added, 3 refused').waitFor();
    for (const text of ['line 2: not a URL: not a url', 'line 4: split must be a whole number from 1 to 32', 'line 5: unsupported scheme javascript:']) {
      await report.getByText(text).waitFor();
    }
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('keeps settings in sections with errors in words, and a theme', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByLabel('Downloads at once').fill('0');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Enter a number from 1 to 64.').waitFor();
    assert.doesNotMatch((await dialog.textContent()) ?? '', /maxConcurrent|must be/);
    // Save says why it did not close, and the keyboard goes to the field, which may be scrolled out of view.
    await dialog.getByText('Some settings need a change first: see the fields marked in red.').waitFor();
    await eventually(async () => dialog.getByLabel('Downloads at once').evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement), 'the wrong field focused');
    await dialog.getByLabel('Downloads at once').fill('5');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    assert.equal(await dialog.getByLabel('Downloads at once').inputValue(), '5', 'the engine kept the setting');
    await dialog.getByLabel('Dark').check();
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
    await dialog.getByLabel('As the system').check();
    assert.equal(await page.locator('html').getAttribute('data-theme'), null);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('filters by view and file type, and selects with the keyboard; Space acts only when the list has focus', async () => {
    for (let i = 0; i < 6; i++) origin.file(`/k${i}.bin`, 64 * 1024);
    await client.api.add(Array.from({ length: 6 }, (_, i) => ({ url: origin.url(`/k${i}.bin`), paused: true })));
    const sidebar = page.getByRole('navigation', { name: 'Views' });
    await sidebar.getByRole('button', { name: /^Paused/ }).click();
    await eventually(async () => (await rows().count()) === 6, 'the six paused downloads');
    await page.getByRole('button', { name: 'Documents' }).click();
    await page.getByText('No downloads of this type among the paused ones.').waitFor();
    await page.getByRole('button', { name: 'Documents' }).click();
    await eventually(async () => (await rows().count()) === 6, 'the file type filter off again');
    await page.getByRole('button', { name: 'Audio' }).click();
    await page.getByRole('button', { name: 'Show every type' }).click();
    await eventually(async () => (await rows().count()) === 6, 'every type shown again from the empty list');

    await page.getByRole('grid').focus();
    await page.keyboard.press('ArrowDown');
    assert.deepEqual(await selectedNames(), ['k0.bin'], 'the first arrow into a list with nothing selected selects the first row');
    await row('k0.bin').click();
    assert.deepEqual(await selectedNames(), ['k0.bin']);
    await page.keyboard.press('ArrowDown');
    assert.deepEqual(await selectedNames(), ['k1.bin']);
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    assert.deepEqual(await selectedNames(), ['k1.bin', 'k2.bin', 'k3.bin']);
    await page.keyboard.press('End');
    assert.deepEqual(await selectedNames(), ['k5.bin']);
    await page.keyboard.press('Shift+Home');
    assert.equal((await selectedNames()).length, 6);
    await page.keyboard.press('Home');
    assert.deepEqual(await selectedNames(), ['k0.bin']);
    await page.keyboard.press('Control+a');
    await eventually(async () => (await selectedNames()).length === 6, 'Ctrl+A selects the whole view');
    await row('k4.bin').click({ modifiers: ['Control'] });
    assert.equal((await selectedNames()).length, 5, 'Ctrl+click takes one out');
    await page.getByRole('toolbar', { name: 'Actions' }).getByRole('button', { name: 'Settings' }).focus();
    await page.keyboard.press('Control+a');
    await eventually(async () => (await selectedNames()).length === 6, 'Ctrl+A outside the list selects every download of the view');
    assert.equal(await page.evaluate(() => String((globalThis as unknown as { getSelection(): unknown }).getSelection())), '', 'and none of the page\'s text');
    // A download added above the selected one: the arrows go on from the selected row, not from its old place.
    await row('k3.bin').click();
    origin.file('/a0.bin', 64 * 1024);
    const [above] = (await client.api.add([{ url: origin.url('/a0.bin'), paused: true }])) as { id: number }[];
    await page.getByRole('columnheader', { name: 'Name' }).getByRole('button').click();
    await eventually(async () => ((await rows().first().textContent()) ?? '').includes('a0.bin'), 'a0.bin sorted first');
    await page.getByRole('grid').focus();
    await page.keyboard.press('ArrowUp');
    assert.deepEqual(await selectedNames(), ['k2.bin']);
    await client.api.remove([above!.id], { deleteFile: true });
    // Name ascending, then descending, then the queue's own order again.
    await page.getByRole('columnheader', { name: 'Name' }).getByRole('button').click();
    await page.getByRole('columnheader', { name: 'Name' }).getByRole('button').click();
    await eventually(async () => (await rows().count()) === 6, 'the six again');
    // A move from another window reorders this one.
    const k5 = (await client.api.list({ search: 'k5.bin' })).items[0]!.id;
    await client.api.move(k5, 'top');
    await eventually(async () => ((await rows().first().textContent()) ?? '').includes('k5.bin'), 'k5 moved to the top from elsewhere');
    await client.api.move(k5, 'bottom');
    await eventually(async () => ((await rows().last().textContent()) ?? '').includes('k5.bin'), 'k5 back at the bottom');
    await row('k2.bin').click();

    // Enter shows the focus row in the pane; Escape closes the pane.
    const pane = page.getByRole('region', { name: 'Details' });
    await page.keyboard.press('Escape');
    await pane.waitFor({ state: 'detached' });
    await page.keyboard.press('Enter');
    await pane.getByRole('heading', { name: 'k2.bin' }).waitFor();
    await page.keyboard.press('Escape');
    await pane.waitFor({ state: 'detached' });
    await row('k1.bin').dblclick();
    await pane.getByRole('heading', { name: 'k1.bin' }).waitFor();
    await row('k2.bin').click();

    // Space on a sidebar button presses that button; the selected download is left alone.
    const k2 = Number(await row('k2.bin').getAttribute('data-id'));
    await sidebar.getByRole('button', { name: /^Paused/ }).focus();
    await page.keyboard.press('Space');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await statusOf(k2), 'paused');
    await row('k2.bin').click();
    await page.keyboard.press('Space');
    await eventually(async () => (await statusOf(k2)) !== 'paused', 'Space on the list resumes the selection');

    // A filter that hides the selection clears it.
    await row('k3.bin').click();
    await sidebar.getByRole('button', { name: /^Done/ }).click();
    await pane.getByText('Select a download to see its details.').waitFor();
    assert.deepEqual(await selectedNames(), []);
    await sidebar.getByRole('button', { name: /^All/ }).click();
    await row('k3.bin').waitFor();
    assert.deepEqual(await selectedNames(), []);
  });

  it('opens a context menu inside the window that acts on the row', async () => {
    const target = row('k5.bin');
    const box = (await target.boundingBox())!;
    const viewport = page.viewportSize()!;
    await target.click({ button: 'right', position: { x: box.width - 4, y: box.height / 2 } });
    const menu = page.getByRole('menu');
    await menu.waitFor();
    const m = (await menu.boundingBox())!;
    assert.ok(m.x >= 0 && m.y >= 0 && m.x + m.width <= viewport.width && m.y + m.height <= viewport.height, `menu inside the window: ${JSON.stringify(m)}`);
    assert.deepEqual(await selectedNames(), ['k5.bin'], 'a right click selects the row it is on');
    for (const name of ['Pause', 'Resume', 'Retry', 'Copy URL', 'Move to top', 'Move to bottom', 'Remove…']) {
      await menu.getByRole('menuitem', { name }).waitFor();
    }
    // A browser cannot open a file on this machine: only the app offers it.
    assert.equal(await menu.getByRole('menuitem', { name: /^(Open|Show in folder)$/ }).count(), 0);
    await menu.getByRole('menuitem', { name: 'Move to top' }).click();
    await eventually(async () => (await rows().first().locator('.name .text').textContent()) === 'k5.bin', 'k5.bin first in the list');
  });

  it('removes after a confirmation that says what happens to the files; an unfinished download leaves no .part', async () => {
    origin.file('/big.bin', 32 * MIB, { rate: 512 * 1024 });
    const [added] = (await client.api.add([{ url: origin.url('/big.bin'), priority: 1000 }])) as { id: number }[];
    await eventually(async () => ((await client.api.detail(added!.id))?.record.bytesDone ?? 0) > 0, 'big.bin under way');
    const part = join(dir, 'files', 'big.bin.part');
    assert.ok(existsSync(part));
    await row('big.bin').click();
    await page.keyboard.press('Delete');
    const confirm = page.getByRole('alertdialog', { name: 'Remove “big.bin”?' });
    await confirm.getByText('the partly downloaded data will be deleted').waitFor();
    // Data would be lost: Enter cancels rather than removes.
    assert.equal(await confirm.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement), true);
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await row('big.bin').waitFor({ state: 'detached' });
    await eventually(async () => !existsSync(part), 'the .part deleted');

    await row(/^ui\.bin$/).click();
    await page.getByRole('toolbar', { name: 'Actions' }).getByRole('button', { name: 'Remove' }).click();
    const again = page.getByRole('alertdialog', { name: 'Remove “ui.bin”?' });
    await again.getByText('The downloaded file stays on disk').waitFor();
    assert.equal(await again.getByLabel('Also delete the downloaded file').isChecked(), false);
    await again.getByRole('button', { name: 'Remove' }).click();
    await row(/^ui\.bin$/).waitFor({ state: 'detached' });
    assert.ok(existsSync(join(dir, 'files', 'ui.bin')), 'the finished file is kept');
    const toasts = page.locator('[data-sonner-toast]', { hasText: '“ui.bin” removed' });
    const shown = await toasts.count();
    assert.ok(shown > 0);
    await toasts.first().getByRole('button', { name: 'Close toast' }).click();
    await eventually(async () => (await toasts.count()) === shown - 1, 'the toast closed');

    // A download with nothing on disk yet can come back: Undo adds it again as it was.
    await client.api.add([{ url: 'http://127.0.0.1:9/undo-me.bin', paused: true, priority: 1000, options: { segments: 3 } }]);
    await row('undo-me.bin').click();
    await page.keyboard.press('Delete');
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
    await row('undo-me.bin').waitFor({ state: 'detached' });
    await page.locator('[data-sonner-toast]', { hasText: '“undo-me.bin” removed' }).getByRole('button', { name: 'Undo' }).click();
    await row('undo-me.bin').and(page.locator('[data-status="paused"]')).waitFor();
    const back = (await client.api.list({ status: ['paused'], sort: 'name' })).items.find((d) => d.url.endsWith('/undo-me.bin'))!;
    assert.equal((await client.api.detail(back.id))?.record.options.segments, 3, 'its options came back with it');

    // A failed one comes back stopped (paused), not set running again.
    const [failing] = (await client.api.add([{ url: origin.url('/undo-failed.bin'), priority: 1000 }])) as { id: number }[];
    await eventually(async () => (await client.api.detail(failing!.id))?.record.status === 'failed', 'the 404 failed');
    await row('undo-failed.bin').click();
    await page.keyboard.press('Delete');
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click();
    await row('undo-failed.bin').waitFor({ state: 'detached' });
    await page.locator('[data-sonner-toast]', { hasText: '“undo-failed.bin” removed' }).getByRole('button', { name: 'Undo' }).click();
    await row('undo-failed.bin').and(page.locator('[data-status="paused"]')).waitFor();
  });

  it('says in the row and the pane why a running download receives nothing: every connection to its server is taken', async () => {
    const settings = await client.api.getSettings();
    // One connection per server: a holder of one has none to share, so the second download waits.
    await client.api.setSettings({ maxConcurrent: 2, segments: 2, maxConnectionsPerServer: 1 });
    const ids: number[] = [];
    try {
      origin.file('/wait/holder.iso', 32 * MIB, { rate: 256 * 1024 });
      origin.file('/wait/waiter.zip', 4 * MIB, { rate: 256 * 1024 });
      const [holder] = (await client.api.add([{ url: origin.url('/wait/holder.iso'), priority: 1000 }])) as { id: number }[];
      ids.push(holder!.id);
      await eventually(async () => ((await client.api.detail(holder!.id))?.record.bytesDone ?? 0) > 0, 'the holder under way');
      const [waiter] = (await client.api.add([{ url: origin.url('/wait/waiter.zip'), priority: 1000 }])) as { id: number }[];
      ids.push(waiter!.id);
      const waiting = row('waiter.zip');
      await waiting.locator('.status', { hasText: 'Waiting for a connection' }).waitFor();
      // The header does not count it as downloading.
      await page.locator('.app-header .summary', { hasText: /^1 downloading · .* · 1 waiting for a connection$/ }).waitFor();
      await waiting.click();
      await page
        .getByRole('region', { name: 'Details' })
        .getByText(/^0 · Waiting for a connection to 127\.0\.0\.1:\d+ \(all 1 in use\)$/)
        .waitFor();
    } finally {
      await client.api.remove(ids, { deleteFile: true });
      await client.api.setSettings({ maxConcurrent: settings.maxConcurrent, segments: settings.segments, maxConnectionsPerServer: settings.maxConnectionsPerServer });
    }
  });

  it('says it is disconnected while braid serve is gone, and comes back by itself', async () => {
    const port = new URL(serve.url).port;
    client.close();
    await stopServe(serve);
    const banner = page.getByRole('alert').filter({ hasText: 'Disconnected from Braid — reconnecting' });
    await banner.waitFor();
    serve = await startServe(dir, SECRET, ['--port', port]);
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    client = await connectApi(serve.url, SECRET);
    // Live again: a download added now shows up in the open page.
    await client.api.add([{ url: 'http://127.0.0.1:9/after-reconnect.bin', paused: true, priority: 1000 }]);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: /^Paused/ }).click();
    await page.getByRole('button', { name: 'Name' }).click();
    await row('after-reconnect.bin').waitFor();
  });
});
