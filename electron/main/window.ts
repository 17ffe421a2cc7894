import { BrowserWindow, shell } from 'electron';
import { join } from 'node:path';
import type { RendererOrigin } from './ipc-handlers';
import { mainWindowOptions } from './window-options';

/** A 16×16 icon for the tray and the window, kept inline so the app needs no asset files to start. */
export const ICON_DATA_URL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAIUlEQVR42mNgoAbQr/n2nxw8CA0gFgxiL4yGwcgOA0oAABDMK2eDH25ZAAAAAElFTkSuQmCC';

export function rendererOrigin(): RendererOrigin {
  return { devServerUrl: process.env['ELECTRON_RENDERER_URL'], indexFile: join(import.meta.dirname, '../renderer/index.html') };
}

/** The Braid window: isolated, sandboxed, no Node in the page, no navigation, no new windows. */
export function createMainWindow(origin: RendererOrigin): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(join(import.meta.dirname, '../preload/index.cjs')));
  window.once('ready-to-show', () => window.show());
  // Links open in the user's browser, never inside the app's privileged window.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:/i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  if (origin.devServerUrl) void window.loadURL(origin.devServerUrl);
  else void window.loadFile(origin.indexFile);
  return window;
}
