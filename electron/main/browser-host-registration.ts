import { app } from 'electron';
import { join } from 'node:path';
import type { BrowserName } from '../../shared/browser-bridge';
import { installHost, uninstallHost } from '../bridge/host-manifest';

/**
 * Registers the browser extension's host for this app: the browser runs the app's own executable as Node
 * (`ELECTRON_RUN_AS_NODE`) on the `braid` command line packed inside it, so no separate Node is needed; the host
 * queues into the app's database and starts the app when it is not running. Returns the manifest's path.
 */
export function registerBrowserHost(browser: BrowserName, action: 'install' | 'uninstall', databasePath: string): string {
  if (action === 'uninstall') return uninstallHost({ browser });
  return installHost({
    browser,
    command: [process.execPath, join(app.getAppPath(), 'out', 'cli', 'braid.js')],
    env: { ELECTRON_RUN_AS_NODE: '1' },
    database: databasePath,
    // An AppImage runs from a temporary mount: the image itself is what starts the app again later.
    app: process.env['APPIMAGE'] ?? process.execPath,
  });
}
