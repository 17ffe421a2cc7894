import assert from 'node:assert/strict';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axe } from '../support/axe';
import { eventually, launchChromium, NO_BROWSER } from '../support/browser';
import { tempDir } from '../support/harness';
import { TestOrigin } from '../support/origin';
import { startServe, stopServe, type Serving } from '../support/serve';
import { connectApi } from '../support/ws-api';

const MIB = 1024 * 1024;
const SECRET = 'screens';
// A run writes to test/e2e/output (ignored by git); BRAID_UPDATE_SCREENSHOTS=1 refreshes the committed ones.
const SHOTS = join(import.meta.dirname, process.env['BRAID_UPDATE_SCREENSHOTS'] === '1' ? 'screenshots' : 'output');

describe('the window at two sizes, light and dark, with a busy queue', { skip: NO_BROWSER }, () => {
  let origin: TestOrigin;
  let dir: string;
  let serve: Serving;
  let browser: Browser;
  let running: number;

  before(async () => {
    origin = await new TestOrigin().start();
    dir = await tempDir('braid-screens-');
    await mkdir(SHOTS, { recursive: true });
    serve = await startServe(dir, SECRET);
    const { api, close } = await connectApi(serve.url, SECRET);
    // A failed download, then one slot: one running, one paused, 2,000 waiting.
    await api.add([{ url: origin.url('/files/report-2026.pdf') }]);
    await eventually(async () => (await api.list({ status: ['failed'] })).total === 1, 'the failed download');
    await api.setSettings({ maxConcurrent: 1 });
    origin.file('/files/ubuntu-24.04-desktop-amd64.iso', 96 * MIB, { rate: 96 * 1024 });
    origin.file('/files/holiday-video.mp4', 48 * MIB, { rate: 200 * 1024 });
    const [paused] = (await api.add([{ url: origin.url('/files/holiday-video.mp4'), priority: 10 }])) as { id: number }[];
    await eventually(async () => ((await api.detail(paused!.id))?.record.bytesDone ?? 0) > 2 * MIB, 'the video under way');
    await api.pause([paused!.id]);
    const [run] = (await api.add([{ url: origin.url('/files/ubuntu-24.04-desktop-amd64.iso'), priority: 10 }])) as { id: number }[];
    running = run!.id;
    const exts = ['mkv', 'mp3', 'zip', 'pdf', 'exe', 'flac', 'epub'];
    const lines = Array.from({ length: 2000 }, (_, i) => origin.url(`/files/episode-${String(i + 1).padStart(4, '0')}.${exts[i % exts.length]}`));
    assert.equal(((await api.importList(lines.join('\n'), {})) as { added: number }).added, 2000);
    close();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await stopServe(serve);
    await origin.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function open(width: number, height: number, scheme: 'light' | 'dark'): Promise<Page> {
    // bypassCSP lets the test inject axe-core; the page itself runs under its own policy.
    const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${serve.url}/#secret=${SECRET}`);
    const row = page.locator(`.rows .row[data-id="${running}"]`);
    await row.and(page.locator('[data-status="active"]')).waitFor();
    await row.click();
    await page.getByRole('region', { name: 'Details' }).getByText('Connections').waitFor();
    // A few seconds of history in the charts.
    await eventually(async () => /[1-9]/.test((await row.locator('.speed').textContent()) ?? ''), 'a speed shown');
    await page.waitForTimeout(3000);
    return page;
  }

  for (const [width, height] of [
    [1280, 800],
    [900, 700],
  ] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`at ${width}×${height}, ${scheme}: no horizontal scroll, no serious accessibility problem`, async () => {
        const page = await open(width, height, scheme);
        // Early in a download the row shows one fill of the whole; the pane shows where each segment stands.
        if (width === 1280 && scheme === 'light') {
          assert.equal(await page.locator(`.rows .row[data-id="${running}"] .bar .segment`).count(), 1, 'one fill in the row');
          const connections = Number(await page.getByRole('region', { name: 'Details' }).locator('dt:text-is("Connections") + dd').textContent());
          assert.ok(connections > 1 && (await page.locator('.pane-segments .bar .segment').count()) > 1, 'the segment map in the pane');
          // The header's memory counts idle pooled buffers too, which no download's own figure shows: it says so.
          assert.match((await page.locator('.memory-chart').getAttribute('title')) ?? '', /idle buffers kept for reuse/);
        }
        const file = join(SHOTS, `queue-${width}x${height}-${scheme}.png`);
        await page.screenshot({ path: file });
        if (width === 1280 && scheme === 'light') await copyFile(file, join(SHOTS, 'queue.png'));
        const overflow = await page.evaluate(() => {
          const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
          return d.documentElement.scrollWidth - d.documentElement.clientWidth;
        });
        assert.equal(overflow, 0, 'nothing wider than the window');
        await axe(page, `queue ${width} ${scheme}`);
        await page.context().close();
      });
    }
  }

  it('has no serious accessibility problem in the menu and dialogs', async () => {
    const page = await open(1280, 800, 'light');
    await page.locator('.rows .row', { hasText: 'holiday-video.mp4' }).click({ button: 'right' });
    await page.getByRole('menu').waitFor();
    await axe(page, 'context menu');
    await page.keyboard.press('Escape');

    await page.getByRole('toolbar', { name: 'Actions' }).getByRole('button', { name: 'Add' }).click();
    const add = page.getByRole('dialog', { name: 'Add downloads' });
    await add.getByLabel('URLs to add').fill([origin.url('/files/holiday-video.mp4'), origin.url('/files/ubuntu-24.04-desktop-amd64.iso').replace('ubuntu', 'debian'), 'ftp://example/x'].join('\n'));
    await add.getByText('Already in the list').waitFor();
    await add.locator('li.refused').nth(1).waitFor();
    await add.getByLabel('Speed limit').fill('fast');
    await add.getByRole('button', { name: 'Queue' }).isVisible();
    await page.screenshot({ path: join(SHOTS, 'add-dialog.png') });
    await axe(page, 'add dialog');
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('dialog', { name: 'Settings' }).getByLabel('Downloads at once').waitFor();
    await page.screenshot({ path: join(SHOTS, 'settings.png') });
    await axe(page, 'settings');
    await page.keyboard.press('Escape');

    await page.locator('.rows .row', { hasText: 'holiday-video.mp4' }).click();
    await page.keyboard.press('Delete');
    await page.getByRole('alertdialog').waitFor();
    await axe(page, 'remove confirmation');
    await page.keyboard.press('Escape');
    await page.context().close();
  });
});
