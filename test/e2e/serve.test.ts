import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { tempDir } from '../support/harness';
import { socketOutcome, startServe, stopServe, type Serving } from '../support/serve';
import { sha256, TestOrigin } from '../support/origin';

const MIB = 1024 * 1024;
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, 'output');
const SECRET = 'e2e-secret';

/** The few DOM names the in-page snippets use; the test compiles without the DOM's types. */
interface PageGlobals {
  DataTransfer: new () => { setData(type: string, value: string): void };
  ClipboardEvent: new (type: string, init: object) => unknown;
  DragEvent: new (type: string, init: object) => unknown;
  dispatchEvent(event: unknown): boolean;
}

describe('braid serve in a real browser', { skip: !existsSync(CHROMIUM) && !process.env['CI'] ? 'no /usr/bin/chromium (apt-get install chromium)' : false }, () => {
  let origin: TestOrigin;
  let dir: string;
  let serve: Serving;
  let browser: Browser;
  let page: Page;

  before(async () => {
    origin = await new TestOrigin().start();
    dir = await tempDir('braid-e2e-');
    await mkdir(SHOTS, { recursive: true });
    serve = await startServe(dir, SECRET);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 640 } });
  });

  after(async () => {
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

  it('adds a URL, shows progress, speed and memory, pauses, resumes and completes', async () => {
    const data = origin.file('/ui.bin', 24 * MIB, { rate: 2 * MIB });
    await page.goto(`${serve.url}/#secret=${SECRET}`);
    await page.getByLabel('URLs to add').fill(`${origin.url('/ui.bin')}\nftp://example/nope`);
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByLabel('Refused').getByText('unsupported scheme ftp:').waitFor();
    const row = page.locator('.row', { hasText: 'ui.bin' });
    await row.and(page.locator('[data-status="active"]')).waitFor();
    // Progress and speed move: the speed shown is measured, and the bar fills.
    // Progress and speed move: the bar fills and the speed shown is measured.
    for (let i = 0; ; i++) {
      const pct = parseFloat((await row.locator('.pct').textContent()) ?? '');
      const speed = (await row.locator('.speed').textContent()) ?? '';
      if (pct > 5 && speed.endsWith('MiB/s')) break;
      assert.ok(i < 200, `no progress shown: ${pct}% at ${speed}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.match((await row.locator('.memory').textContent()) ?? '', /\/ 4 MiB$/);
    assert.match((await page.locator('.global-speed').textContent()) ?? '', /MiB\/s$/);
    assert.match((await page.locator('.process-memory').textContent()) ?? '', /^RSS \d[\d.]* MiB, heap \d/);
    await page.screenshot({ path: join(SHOTS, 'active.png') });

    await row.getByRole('button', { name: 'Pause' }).click();
    await row.and(page.locator('[data-status="paused"]')).waitFor();
    const pausedAt = await row.locator('.pct').textContent();
    await page.screenshot({ path: join(SHOTS, 'paused.png') });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await row.locator('.pct').textContent(), pausedAt, 'nothing moves while paused');

    await row.getByRole('button', { name: 'Resume' }).click();
    await row.and(page.locator('[data-status="completed"]')).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'completed.png') });
    assert.equal(sha256(await readFile(join(dir, 'files', 'ui.bin'))), sha256(data));
  });

  it('imports a list file and reports the bad lines with their numbers', async () => {
    const list = join(dir, 'import.txt');
    await writeFile(list, ['# a comment', 'not a url', `${origin.url('/ui.bin')}`, '  split=99', 'javascript:alert(1)', ''].join('\n'));
    await page.getByLabel('Import list').setInputFiles(list);
    const report = page.getByLabel('Import report');
    await report.getByText('import.txt: 1 added, 3 refused').waitFor();
    for (const text of ['line 2: not a URL: not a url', 'line 4: split must be a whole number from 1 to 32', 'line 5: unsupported scheme javascript:']) {
      await report.getByText(text).waitFor();
    }
    await page.screenshot({ path: join(SHOTS, 'import.png') });
  });

  it('persists settings, shows details, and adds URLs pasted or dropped on the window', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByLabel('Settings');
    await settings.getByLabel('Downloads at once').fill('5');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.getByText('Saved').waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    assert.equal(await page.getByLabel('Settings').getByLabel('Downloads at once').inputValue(), '5', 'the engine kept the setting');
    await page.getByLabel('Settings').getByRole('button', { name: 'Close' }).click();

    await page.getByRole('img', { name: /Speed over the last minute/ }).waitFor();
    await page.locator('.row', { hasText: /^ui\.bin/ }).click();
    const detail = page.getByLabel('Details');
    await detail.getByText('"v1-25165824"').waitFor();
    await detail.getByText('25165824 bytes', { exact: false }).waitFor();
    assert.equal(await detail.getByLabel('Segments').locator('tbody tr').count(), 1, 'finished segments are merged into one');

    await detail.getByRole('button', { name: 'Open', exact: true }).click();
    await detail.getByRole('alert').getByText('available in the desktop app only').waitFor();

    origin.file('/pasted.bin', 64 * 1024);
    origin.file('/dropped.bin', 64 * 1024);
    await page.evaluate((url) => {
      const g = globalThis as unknown as PageGlobals;
      const data = new g.DataTransfer();
      data.setData('text/plain', url);
      g.dispatchEvent(new g.ClipboardEvent('paste', { clipboardData: data }));
    }, origin.url('/pasted.bin'));
    await page.locator('.row[data-status="completed"]', { hasText: 'pasted.bin' }).waitFor();
    await page.evaluate((url) => {
      const g = globalThis as unknown as PageGlobals;
      const data = new g.DataTransfer();
      data.setData('text/plain', url);
      g.dispatchEvent(new g.DragEvent('drop', { dataTransfer: data, cancelable: true }));
    }, origin.url('/dropped.bin'));
    await page.locator('.row[data-status="completed"]', { hasText: 'dropped.bin' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'details.png') });

    // Sorting is done by the engine (the list pages); the names now are ui.bin, ui (1).bin, pasted.bin, dropped.bin.
    const names = async () => (await page.locator('.scroller .row .name').allTextContents()).slice(0, 4);
    const expectOrder = async (want: string[]) => {
      for (let i = 0; ; i++) {
        const got = await names();
        if (JSON.stringify(got) === JSON.stringify(want)) return;
        assert.ok(i < 200, `order ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await page.getByRole('button', { name: 'Name' }).click();
    await expectOrder(['dropped.bin', 'pasted.bin', 'ui (1).bin', 'ui.bin']);
    await page.getByRole('button', { name: /^Name/ }).click();
    await expectOrder(['ui.bin', 'ui (1).bin', 'pasted.bin', 'dropped.bin']);
    await page.getByRole('button', { name: /^Order/ }).click();

    // Ctrl+click selects several; the bulk bar acts on all of them.
    await page.locator('.row', { hasText: 'pasted.bin' }).click();
    await page.locator('.row', { hasText: 'dropped.bin' }).click({ modifiers: ['Control'] });
    await page.getByRole('toolbar', { name: 'Selected downloads' }).getByText('2 selected').waitFor();
    // Delete removes the selection (the files stay).
    await page.keyboard.press('Delete');
    await page.locator('.row', { hasText: 'pasted.bin' }).waitFor({ state: 'detached' });
    await page.locator('.row', { hasText: 'dropped.bin' }).waitFor({ state: 'detached' });
    assert.ok(existsSync(join(dir, 'files', 'pasted.bin')), 'the file is kept');
  });

  it('keeps a 10,000-item queue virtualised and scrolling', async () => {
    const api = serve.url.replace('http:', 'ws:') + '/api';
    const lines = Array.from({ length: 10_000 }, (_, i) => `http://127.0.0.1:9/bulk-${i}.bin`).join('\n');
    const ws = new WebSocket(api, { headers: { origin: serve.url } });
    const report = await new Promise<{ added: number }>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', secret: SECRET })));
      ws.on('message', (d) => {
        const m = JSON.parse(String(d));
        if (m.type === 'ready') ws.send(JSON.stringify({ type: 'call', id: 1, method: 'importList', args: [lines, { paused: true }] }));
        if (m.type !== 'result') return;
        if (m.ok) resolve(m.value);
        else reject(new Error(m.error.message));
      });
    });
    ws.close();
    assert.equal(report.added, 10_000);
    await page.reload();
    await page.locator('.row', { hasText: 'bulk-0.bin' }).waitFor();
    // Runs in the page (through the DevTools protocol, which the page's CSP does not block); no named inner
    // functions, which the test compiler would wrap in a helper the page does not have.
    const figures = await page.evaluate(async () => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { scrollTop: number; scrollHeight: number } | null; querySelectorAll(s: string): { length: number } } }).document;
      const raf = (globalThis as unknown as { requestAnimationFrame(f: () => void): void }).requestAnimationFrame;
      const el = doc.querySelector('[data-testid="queue-scroller"]')!;
      const times: number[] = [];
      let last = performance.now();
      for (let i = 0; i < 150; i++) {
        el.scrollTop += 2400;
        await new Promise((r) => raf(() => r(null)));
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      times.sort((a, b) => a - b);
      return { median: times[75]!, p95: times[142]!, max: times[149]!, rows: doc.querySelectorAll('.row').length, height: el.scrollHeight };
    });
    console.log(`# 10,000 rows: scroll frame median ${figures.median.toFixed(1)} ms, p95 ${figures.p95.toFixed(1)} ms, max ${figures.max.toFixed(1)} ms; ${figures.rows} rows in the DOM`);
    assert.ok(figures.rows < 120, `only the rows in view are rendered, saw ${figures.rows}`);
    assert.ok(figures.height > 10_000 * 30, 'the scroll area spans every row');
    await page.locator('.row', { hasText: 'bulk-9999.bin' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'bulk.png') });
  });
});
