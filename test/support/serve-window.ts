import type { Browser, Page } from 'playwright-core';
import { openServePage } from './browser';
import { startServe, stopServe, type Serving } from './serve';
import { connectApi } from './ws-api';

/** `braid serve` with its state in a folder, a WebSocket client of its API, and its window open in Chromium. */
export interface ServeWindow {
  serve: Serving;
  client: Awaited<ReturnType<typeof connectApi>>;
  browser: Browser;
  page: Page;
}

export async function openServeWindow(dir: string, secret: string): Promise<ServeWindow> {
  const serve = await startServe(dir, secret);
  const client = await connectApi(serve.url, secret);
  const { browser, page } = await openServePage(serve.url, secret);
  return { serve, client, browser, page };
}

/** Closes what `openServeWindow` opened; a part that never opened is skipped. */
export async function closeServeWindow(opened: Partial<ServeWindow> | undefined): Promise<void> {
  opened?.client?.close();
  await opened?.browser?.close();
  await stopServe(opened?.serve);
}
