import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { eventually, NO_BROWSER } from '../support/browser';
import { tempDir } from '../support/harness';
import { closeServeWindow, openServeWindow, type ServeWindow } from '../support/serve-window';

const SECRET = 'e2e-long-queue';

describe('a long queue in the window (braid serve)', { skip: NO_BROWSER }, () => {
  let dir: string;
  let opened: ServeWindow | undefined;
  const page = () => opened!.page;
  const client = () => opened!.client;
  const rows = () => page().locator('.rows .row[data-id]');
  const row = (name: string | RegExp) => page().locator('.rows .row', { has: page().locator('.name .text', { hasText: name }) });

  before(async () => {
    dir = await tempDir('braid-long-queue-');
    opened = await openServeWindow(dir, SECRET);
  });

  after(async () => {
    await closeServeWindow(opened);
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a 10,000-item queue virtualised and scrolling', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `http://127.0.0.1:9/bulk-${i}.bin`).join('\n');
    const report = (await client().api.importList(lines, { paused: true })) as { added: number };
    assert.equal(report.added, 10_000);
    await page().reload();
    await row('bulk-0.bin').waitFor();
    // Runs in the page (through the DevTools protocol, which the page's CSP does not block); no named inner
    // functions, which the test compiler would wrap in a helper the page does not have.
    const figures = await page().evaluate(async () => {
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
      return { median: times[75]!, p95: times[142]!, max: times[149]!, rows: doc.querySelectorAll('.rows .row').length, height: el.scrollHeight };
    });
    console.log(`# 10,000 rows: scroll frame median ${figures.median.toFixed(1)} ms, p95 ${figures.p95.toFixed(1)} ms, max ${figures.max.toFixed(1)} ms; ${figures.rows} rows in the DOM`);
    assert.ok(figures.rows < 120, `only the rows in view are rendered, saw ${figures.rows}`);
    assert.ok(figures.height > 10_000 * 30, 'the scroll area spans every row');
    await row('bulk-9999.bin').waitFor();
    // Blocks far behind were dropped on the way down; back at the top they are fetched again.
    await page().getByTestId('queue-scroller').evaluate((el) => (el.scrollTop = 0));
    await row('bulk-0.bin').waitFor();
    // Ctrl+A selects every row of the view and the search, not only the rows loaded (100 at a time).
    await page().getByLabel('Search downloads').fill('bulk-1');
    await eventually(async () => (await rows().count()) > 0 && (await rows().first().textContent())!.includes('bulk-1'), 'the search applied');
    await page().getByRole('grid').focus();
    await page().keyboard.press('Control+a');
    await page().getByRole('region', { name: 'Details' }).getByText(/^1,111 downloads selected/).waitFor();
    await page().getByLabel('Search downloads').fill('');
  });
});
