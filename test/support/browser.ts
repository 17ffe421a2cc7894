import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why a browser test cannot run here, or false. */
export const NO_BROWSER = !existsSync(CHROMIUM) && !process.env['CI'] ? 'no /usr/bin/chromium (apt-get install chromium)' : false;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Polls `check` until it returns true, failing with `what` after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Chromium showing `braid serve`'s window at `url` with its secret, the queue empty and ready. Its context lets a
 * test inject axe-core (bypassCSP; the page itself runs under its own policy); page errors are printed.
 */
export async function openServePage(url: string, secret: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`# page error: ${e.message}`));
  await page.goto(`${url}/#secret=${secret}`);
  await page.getByText('No downloads yet').waitFor();
  return { browser, page };
}
