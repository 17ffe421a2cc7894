import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { eventually, NO_BROWSER } from '../support/browser';
import { tempDir } from '../support/harness';
import { TestOrigin } from '../support/origin';
import { closeServeWindow, openServeWindow, type ServeWindow } from '../support/serve-window';

const MIB = 1024 * 1024;
const SECRET = 'queue-flow-e2e';

describe('adding, finishing and removing many downloads in the window (braid serve)', { skip: NO_BROWSER }, () => {
  let origin: TestOrigin;
  let dir: string;
  let opened: ServeWindow;

  const page = () => opened.page;
  const client = () => opened.client;
  const row = (name: string | RegExp) => page().locator('.rows .row', { has: page().locator('.name .text', { hasText: name }) });
  const selectedNames = async () => page().locator('.rows .row[aria-selected="true"] .name .text').allTextContents();
  const statusOf = async (id: number) => (await client().api.detail(id))?.record.status;

  before(async () => {
    origin = await new TestOrigin().start();
    dir = await tempDir('braid-queue-flow-');
    opened = await openServeWindow(dir, SECRET);
  });

  after(async () => {
    await closeServeWindow(opened);
    await origin.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('greys out the actions on the whole queue while it holds nothing they act on', async () => {
    const toolbar = page().getByRole('toolbar', { name: 'Actions' });
    const enabled = async () => Promise.all(['Start all', 'Pause all', 'Clear done'].map((name) => toolbar.getByRole('button', { name }).isEnabled()));
    await page().getByText('No downloads yet').waitFor();
    await eventually(async () => (await enabled()).join() === 'false,false,false', 'all three greyed out on an empty queue');
    const [paused] = (await client().api.add([{ url: 'http://127.0.0.1:9/later.bin', paused: true }])) as { id: number }[];
    await eventually(async () => (await enabled()).join() === 'true,false,false', 'Start all for a paused download, nothing to pause or clear');
    await client().api.remove([paused!.id], { deleteFile: true });
  });

  it('checks every line of a paste longer than one call of the check, then offers them all', async () => {
    origin.file('/many.bin', 1024);
    const lines = Array.from({ length: 150 }, (_, i) => `${origin.url('/many.bin')}?k=${i}`);
    await page().keyboard.press('Control+n');
    const dialog = page().getByRole('dialog', { name: 'Add downloads' });
    // Two lines pasted twice are taken once, and the note says so.
    await dialog.getByLabel('URLs to add').fill([...lines, lines[3], lines[149]].join('\n'));
    await dialog.getByText('150 of 150 will be added · 2 repeated lines taken once').waitFor({ timeout: 20_000 });
    // Only the lines in view are drawn (a paste of thousands would otherwise redraw them all at every answer),
    // and each still says where it stands in the whole list.
    const preview = dialog.getByRole('list', { name: 'What will be added' });
    const drawn = await preview.getByRole('listitem').count();
    assert.ok(drawn > 0 && drawn < 50, `${drawn} lines drawn of 150`);
    assert.equal(await preview.getByRole('listitem').first().getAttribute('aria-setsize'), '150');
    await dialog.locator('.preview-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await preview.locator(`li[data-url="${lines[149]}"][aria-posinset="150"]`).waitFor();
    assert.ok(await dialog.getByRole('button', { name: 'Queue' }).isEnabled(), 'a long paste can be queued');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('counts downloads that finish one after another in one toast, not a toast each', async () => {
    for (const n of [1, 2, 3, 4]) origin.file(`/burst/b${n}.bin`, 64 * 1024);
    const added = (await client().api.add([1, 2, 3, 4].map((n) => ({ url: origin.url(`/burst/b${n}.bin`) })))) as { id: number }[];
    await eventually(async () => {
      const statuses = await Promise.all(added.map((a) => statusOf(a.id)));
      return statuses.every((s) => s === 'completed');
    }, 'the four downloads completed');
    const toasts = page().locator('[data-sonner-toast]', { hasText: /complete/ });
    // The count goes on from an ending before these while its toast is still up.
    await toasts.getByText(/^\d+ downloads complete$/).waitFor();
    await toasts.getByText(/^The last: b\d\.bin$/).waitFor();
    assert.equal(await toasts.count(), 1, 'one toast counts them');
    const counted = Number((await toasts.getByText(/downloads complete$/).textContent())!.split(' ')[0]);
    assert.ok(counted >= 4, `${counted} counted`);
    // A place in the queue means nothing to a finished download.
    await row('b1.bin').click({ button: 'right' });
    const menu = page().getByRole('menu');
    assert.equal(await menu.getByRole('menuitem', { name: 'Move to top' }).getAttribute('aria-disabled'), 'true');
    await page().keyboard.press('Escape');
    await client().api.remove(added.map((a) => a.id), { deleteFile: true });
  });

  it('selects a range of rows with Shift+click, not the text across them', async () => {
    const added = (await client().api.add(['pick-1', 'pick-2'].map((n) => ({ url: `http://127.0.0.1:9/${n}.bin`, paused: true })))) as { id: number }[];
    try {
      await row('pick-1.bin').click();
      await row('pick-2.bin').click({ modifiers: ['Shift'] });
      assert.deepEqual(await selectedNames(), ['pick-1.bin', 'pick-2.bin']);
      const selectedText = await page().evaluate(() => String((globalThis as unknown as { getSelection(): unknown }).getSelection()));
      assert.equal(selectedText, '', 'no page text selected');
    } finally {
      await client().api.remove(added.map((a) => a.id), { deleteFile: true });
    }
  });

  it('goes on down the list with the keyboard after a removal: the next row selected, the list focused', async () => {
    const names = ['del-1', 'del-2', 'del-3', 'del-4', 'del-5'];
    const added = (await client().api.add(names.map((n) => ({ url: `http://127.0.0.1:9/${n}.bin`, paused: true })))) as { id: number }[];
    try {
      await row('del-1.bin').click();
      await page().keyboard.press('Delete');
      const confirm = page().getByRole('alertdialog', { name: 'Remove “del-1.bin”?' });
      await confirm.getByText('Nothing of it is on disk: there is nothing to lose.').waitFor();
      await page().keyboard.press('Enter');
      await row('del-1.bin').waitFor({ state: 'detached' });
      await eventually(async () => (await selectedNames()).length === 1, 'the next row selected');
      assert.deepEqual(await selectedNames(), ['del-2.bin']);
      assert.equal(await page().evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('role')), 'grid');
      // A range selected downwards: the row after the range is next, not the one at the range's last place.
      await page().keyboard.press('Shift+ArrowDown');
      assert.deepEqual(await selectedNames(), ['del-2.bin', 'del-3.bin']);
      await page().keyboard.press('Delete');
      await page().getByRole('alertdialog', { name: 'Remove 2 downloads?' }).waitFor();
      await page().keyboard.press('Enter');
      await row('del-3.bin').waitFor({ state: 'detached' });
      await eventually(async () => (await selectedNames()).join() === 'del-4.bin', 'the row after the range selected');
    } finally {
      await client().api.remove(added.map((a) => a.id), { deleteFile: true });
    }
  });

  it('finds downloads by name as typed in the search box, and Escape brings the whole list back', async () => {
    const names = ['Holiday-2024.mkv', 'holiday-photos.zip', 'taxes.pdf'];
    const added = (await client().api.add(names.map((n) => ({ url: `http://127.0.0.1:9/find/${n}`, paused: true })))) as { id: number }[];
    try {
      await row('taxes.pdf').waitFor();
      // Hovering a name shows its address too: downloads of one name that have not started look alike otherwise.
      assert.equal(await row('taxes.pdf').locator('.name').getAttribute('title'), 'taxes.pdf\nhttp://127.0.0.1:9/find/taxes.pdf');
      await page().keyboard.press('Control+f');
      const box = page().getByRole('textbox', { name: 'Search downloads' });
      assert.equal(await box.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement), true, 'Ctrl+F goes to the search box');
      await page().keyboard.type('HOLIDAY');
      await row('taxes.pdf').waitFor({ state: 'detached' });
      await eventually(async () => (await page().locator('.rows .row').count()) === 2, 'the two holiday downloads alone');
      await row('Holiday-2024.mkv').waitFor();
      await row('holiday-photos.zip').waitFor();
      // A space typed before a pause stays for the next word; nothing found says so, and how to see the rest.
      await page().keyboard.type(' zz ');
      await new Promise((r) => setTimeout(r, 600));
      await page().keyboard.type('z');
      await page().getByText('No downloads here match “HOLIDAY zz z”.').waitFor();
      await page().keyboard.press('Escape');
      await row('taxes.pdf').waitFor();
      assert.equal(await box.inputValue(), '');
    } finally {
      await client().api.remove(added.map((a) => a.id), { deleteFile: true });
    }
  });

  it('says in the row and the pane that a download that failed its checksum arrived whole, rather than 0 B of it', async () => {
    origin.file('/sum/wrong.bin', 256 * 1024);
    const [added] = (await client().api.add([{ url: origin.url('/sum/wrong.bin'), options: { checksum: { algorithm: 'sha-256', hex: '0'.repeat(64) } } }])) as { id: number }[];
    try {
      await eventually(async () => (await statusOf(added!.id)) === 'failed', 'the checksum failure');
      const bar = row('wrong.bin').getByRole('progressbar');
      await eventually(async () => (await bar.getAttribute('aria-valuenow')) === '100', 'a whole bar');
      assert.equal(await bar.getAttribute('aria-valuetext'), 'arrived whole, failed its checksum');
      assert.equal(await row('wrong.bin').locator('.pct').textContent(), '');
      await row('wrong.bin').click();
      await page().getByRole('region', { name: 'Details' }).getByText('all of it, then it failed its checksum (kept as a .part file; Retry downloads it again)').waitFor();
      // Its whole .part is on disk: removing it deletes data, and the dialog says so.
      await page().keyboard.press('Delete');
      const confirm = page().getByRole('alertdialog');
      await confirm.getByText('It is not finished: the partly downloaded data will be deleted.').waitFor();
      await confirm.getByRole('button', { name: 'Cancel' }).click();
    } finally {
      await client().api.remove([added!.id], { deleteFile: true });
    }
  });

  it('shows the size the Add dialog found on a download that waits for its turn', async () => {
    const settings = await client().api.getSettings();
    await client().api.setSettings({ maxConcurrent: 1 });
    const ids: number[] = [];
    try {
      origin.file('/turn/holder.iso', 32 * MIB, { rate: 256 * 1024 });
      origin.file('/turn/later.zip', 3 * MIB);
      const [holder] = (await client().api.add([{ url: origin.url('/turn/holder.iso'), priority: 1000 }])) as { id: number }[];
      ids.push(holder!.id);
      await eventually(async () => (await statusOf(holder!.id)) === 'active', 'the holder running');
      await page().keyboard.press('Control+n');
      const dialog = page().getByRole('dialog', { name: 'Add downloads' });
      await dialog.getByLabel('URLs to add').fill(origin.url('/turn/later.zip'));
      await dialog.getByRole('list', { name: 'What will be added' }).getByText('3 MiB').waitFor();
      await dialog.getByRole('button', { name: 'Queue' }).click();
      await dialog.waitFor({ state: 'detached' });
      const later = row('later.zip');
      await later.and(page().locator('[data-status="queued"]')).waitFor();
      ids.push(Number(await later.getAttribute('data-id')));
      assert.equal(await later.locator('.size').textContent(), '3 MiB', 'the waiting row shows the size found, not "—"');
      // The header's time left is the running download's; what waits is counted apart.
      await page().locator('.app-header .summary', { hasText: /^1 downloading · .* · \d+ waiting$/ }).waitFor();
    } finally {
      await client().api.remove(ids, { deleteFile: true });
      await client().api.setSettings({ maxConcurrent: settings.maxConcurrent });
    }
  });
});
