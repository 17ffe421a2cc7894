import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { MAX_FOLDER } from '../../shared/limits';
import { axe } from '../support/axe';
import { NO_BROWSER } from '../support/browser';
import { tempDir } from '../support/harness';
import { sha256, TestOrigin } from '../support/origin';
import { closeServeWindow, openServeWindow, type ServeWindow } from '../support/serve-window';

const SECRET = 'settings-e2e';
const OUTPUT = join(import.meta.dirname, 'output');
/** Engine words that must never reach the window: setting keys and codes. */
const INTERNAL = /categoryFolders|INVALID_OPTION|browserHost/;

describe('folders by file type and the browser extension in the Settings dialog (braid serve)', { skip: NO_BROWSER }, () => {
  let origin: TestOrigin;
  let dir: string;
  let videos: string;
  let serve: ServeWindow['serve'];
  let browser: Browser;
  let page: Page;
  let client: ServeWindow['client'];

  const settings = () => page.getByRole('dialog', { name: 'Settings' });
  const typeFolders = () => settings().getByRole('button', { name: 'Folders by file type' });

  async function openSettings(): Promise<Locator> {
    await page.getByRole('button', { name: 'Settings' }).click();
    await settings().getByLabel('Downloads at once').waitFor();
    return settings();
  }

  /** The dialog's Save button and the bottom of its sections are inside the window: nothing is cut off. */
  async function assertFits(dialog: Locator, what: string): Promise<void> {
    const viewport = page.viewportSize()!;
    const box = (await dialog.boundingBox())!;
    assert.ok(box.y >= 0 && box.y + box.height <= viewport.height, `${what}: the dialog is inside the window`);
    const save = (await dialog.getByRole('button', { name: 'Save' }).boundingBox())!;
    assert.ok(save.y + save.height <= viewport.height, `${what}: Save can be reached without scrolling the page`);
    const sideways = await dialog.locator('.settings-sections').evaluate((e) => e.scrollWidth - e.clientWidth);
    assert.equal(sideways, 0, `${what}: nothing in the sections is wider than the dialog`);
  }

  before(async () => {
    origin = await new TestOrigin().start();
    dir = await tempDir('braid-settings-e2e-');
    videos = join(dir, 'videos');
    await mkdir(videos, { recursive: true });
    await mkdir(OUTPUT, { recursive: true });
    ({ serve, client, browser, page } = await openServeWindow(dir, SECRET));
  });

  after(async () => {
    await closeServeWindow({ serve, client, browser });
    await origin.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [width, height] of [
    [1280, 800],
    [900, 700],
  ] as const) {
    // First, before any Save leaves a toast over the dialog's corner.
    it(`fits the window at ${width}×${height}, its sections scrolling between the title and the buttons`, async () => {
      await page.setViewportSize({ width, height });
      const dialog = await openSettings();
      await typeFolders().click();
      await assertFits(dialog, `${width}×${height}`);
      await page.screenshot({ path: join(OUTPUT, `settings-${width}x${height}.png`) });
      const sections = dialog.locator('.settings-sections');
      await sections.evaluate((e) => e.scrollTo(0, e.scrollHeight));
      await dialog.getByRole('region', { name: 'Appearance' }).getByText('As the system').waitFor();
      await assertFits(dialog, `${width}×${height}, scrolled to the end`);
      await page.screenshot({ path: join(OUTPUT, `settings-${width}x${height}-end.png`) });
      await axe(page, `settings at ${width}×${height}`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    });
  }

  it('sends a video added without a folder to the Video folder, refusing folders it cannot use first, and forgets it when cleared', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const dialog = await openSettings();
    // Folded while no type has a folder of its own, with a line that says so.
    assert.equal(await typeFolders().getAttribute('aria-expanded'), 'false');
    await dialog.getByText('Every type goes to the main folder.').waitFor();
    assert.equal(await dialog.getByLabel('Video', { exact: true }).isVisible(), false);
    await typeFolders().click();
    const video = dialog.getByLabel('Video', { exact: true });
    for (const label of ['Video', 'Audio', 'Archives', 'Documents', 'Programs', 'Other']) {
      assert.equal(await dialog.getByLabel(label, { exact: true }).getAttribute('placeholder'), 'Empty: the main folder', label);
    }
    assert.equal(await dialog.getByRole('button', { name: 'Browse…' }).count(), 0, 'a browser page types its folders');

    await video.fill('videos');
    await dialog.getByLabel('Audio', { exact: true }).fill('~/Music');
    await dialog.getByLabel('Other', { exact: true }).fill(`/${'x'.repeat(MAX_FOLDER)}`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText(/^Write the whole path, starting from the top folder/).waitFor();
    await dialog.getByText('Write the whole path, such as /home/you/Videos: Braid does not expand ~.').waitFor();
    await dialog.getByText('Keep the folder under 4,096 characters.').waitFor();
    assert.equal(await video.getAttribute('aria-invalid'), 'true');
    assert.match((await video.getAttribute('aria-describedby')) ?? '', /set-folder-video-error/);
    assert.doesNotMatch((await dialog.textContent()) ?? '', INTERNAL);
    assert.deepEqual((await client.api.getSettings()).categoryFolders, {}, 'nothing was saved');
    await page.screenshot({ path: join(OUTPUT, 'settings-type-folders-errors.png') });
    await axe(page, 'settings with folder errors');

    // Folded with its errors, the next Save that finds them unfolds it again.
    await typeFolders().click();
    assert.equal(await video.isVisible(), false);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await video.waitFor();
    await dialog.getByText('Keep the folder under 4,096 characters.').waitFor();

    await video.fill(videos);
    await dialog.getByLabel('Audio', { exact: true }).fill('');
    await dialog.getByLabel('Other', { exact: true }).fill('  ');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual((await client.api.getSettings()).categoryFolders, { video: videos });

    // Added through the Add dialog, with its folder left empty.
    const data = origin.file('/clips/holiday.mp4', 512 * 1024);
    await page.keyboard.press('Control+n');
    const add = page.getByRole('dialog', { name: 'Add downloads' });
    await add.getByLabel('URLs to add').fill(origin.url('/clips/holiday.mp4'));
    assert.equal(await add.getByLabel('Save to folder').inputValue(), '');
    await add.getByRole('button', { name: 'Queue' }).click();
    await add.waitFor({ state: 'detached' });
    await page.locator('.rows .row[data-status="completed"]', { hasText: 'holiday.mp4' }).waitFor({ timeout: 30_000 });
    assert.equal(sha256(await readFile(join(videos, 'holiday.mp4'))), sha256(data), 'the video is in the Video folder, whole');
    assert.equal(existsSync(join(dir, 'files', 'holiday.mp4')), false, 'and not in the main folder');

    // Opened again: unfolded, since a type has a folder; cleared, the engine forgets it.
    await openSettings();
    assert.equal(await typeFolders().getAttribute('aria-expanded'), 'true');
    assert.equal(await video.inputValue(), videos);
    await video.fill('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual((await client.api.getSettings()).categoryFolders, {});
    await openSettings();
    assert.equal(await typeFolders().getAttribute('aria-expanded'), 'false');
    await typeFolders().click();
    assert.equal(await video.inputValue(), '');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('takes the overall speed limit written as the Add dialog takes one, as well as in KiB/s', async () => {
    const dialog = await openSettings();
    const limit = dialog.getByLabel('Overall speed limit');
    await limit.fill('2M');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await client.api.getSettings()).globalSpeedLimit, 2 * 1024 * 1024);

    const again = await openSettings();
    assert.equal(await again.getByLabel('Overall speed limit').inputValue(), '2048', 'shown in the unit the field names');
    await again.getByLabel('Overall speed limit').fill('fast');
    await again.getByRole('button', { name: 'Save' }).click();
    await again.getByText('Enter 0 or more KiB/s.').waitFor();
    await again.getByLabel('Overall speed limit').fill('0');
    await again.getByRole('button', { name: 'Save' }).click();
    await again.waitFor({ state: 'detached' });
    assert.equal((await client.api.getSettings()).globalSpeedLimit, 0);
  });

  it('refuses more memory for one download than for all of them, next to the field', async () => {
    const before = await client.api.getSettings();
    const dialog = await openSettings();
    await dialog.getByLabel('Memory per download').fill('100');
    await dialog.getByLabel('Memory for all downloads').fill('8');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Keep this at or under the memory for all downloads (8 MiB): one download cannot hold more than all of them.').waitFor();
    assert.equal((await client.api.getSettings()).perDownloadMemory, before.perDownloadMemory, 'nothing saved');
    await assert.rejects(client.api.setSettings({ perDownloadMemory: 100 * 1024 * 1024, memoryBudget: 8 * 1024 * 1024 }), /cannot be more than the memory for all downloads \(8 MiB\)/);
    await dialog.getByLabel('Memory per download').fill('8');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const saved = await client.api.getSettings();
    assert.deepEqual([saved.perDownloadMemory, saved.memoryBudget], [8 * 1024 * 1024, 8 * 1024 * 1024]);
    await client.api.setSettings({ perDownloadMemory: before.perDownloadMemory, memoryBudget: before.memoryBudget });
  });

  it('shows the command that connects a browser, since a browser page cannot do it itself', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: serve.url });
    const dialog = await openSettings();
    const section = dialog.getByRole('region', { name: 'Browser' });
    await section.scrollIntoViewIfNeeded();
    const command = section.locator('.command-line code');
    assert.equal(await command.textContent(), 'braid browser-host install --browser chromium');
    assert.equal(await section.getByRole('button', { name: 'Connect' }).count(), 0, 'no Connect button outside the app');
    await section.getByRole('combobox', { name: 'Browser' }).selectOption({ label: 'Firefox' });
    assert.equal(await command.textContent(), 'braid browser-host install --browser firefox');
    await section.getByText('braid browser-host uninstall --browser firefox').waitFor();
    await section.getByText('out/extension').waitFor();
    await section.getByRole('button', { name: 'Copy' }).click();
    await section.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText()), 'braid browser-host install --browser firefox');
    await axe(page, 'settings, browser section');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });
});
