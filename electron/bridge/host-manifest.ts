import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BROWSER_HOST_NAME, CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID, type BrowserName } from '../../shared/browser-bridge';

export type { BrowserName };

/** Each browser's per-user folder for native messaging hosts (Linux, macOS) or its registry key (Windows). */
const FOLDERS: Record<BrowserName, { linux: string; darwin: string; registry: string }> = {
  chromium: { linux: '.config/chromium', darwin: 'Library/Application Support/Chromium', registry: 'Software\\Chromium' },
  chrome: { linux: '.config/google-chrome', darwin: 'Library/Application Support/Google/Chrome', registry: 'Software\\Google\\Chrome' },
  brave: { linux: '.config/BraveSoftware/Brave-Browser', darwin: 'Library/Application Support/BraveSoftware/Brave-Browser', registry: 'Software\\BraveSoftware\\Brave-Browser' },
  edge: { linux: '.config/microsoft-edge', darwin: 'Library/Application Support/Microsoft Edge', registry: 'Software\\Microsoft\\Edge' },
  firefox: { linux: '.mozilla', darwin: 'Library/Application Support/Mozilla', registry: 'Software\\Mozilla' },
};

export interface InstallOptions {
  browser: BrowserName;
  /**
   * How to run Braid's command line, by absolute path: this Node and the built `braid` for the CLI; for the app,
   * its own executable and the `braid` inside it, with `ELECTRON_RUN_AS_NODE=1` in `env`.
   */
  command: string[];
  env?: Record<string, string>;
  /** Folder for the manifest instead of the browser's own. */
  dir?: string;
  /** Passed on to every `braid browser-host` the browser starts. */
  database?: string;
  downloads?: string;
  /** The Braid app the host starts when no engine is running. */
  app?: string;
}

export function hostFolder(browser: BrowserName, platform = process.platform, home = homedir()): string {
  if (platform === 'win32') return join(process.env['LOCALAPPDATA'] ?? join(home, 'AppData', 'Local'), 'Braid', 'NativeMessagingHosts', browser);
  const base = FOLDERS[browser][platform === 'darwin' ? 'darwin' : 'linux'];
  // Firefox's folder is lower-case on Linux and capitalised on macOS.
  return join(home, base, browser === 'firefox' && platform !== 'darwin' ? 'native-messaging-hosts' : 'NativeMessagingHosts');
}

function registryKey(browser: BrowserName): string {
  return `HKCU\\${FOLDERS[browser].registry}\\NativeMessagingHosts\\${BROWSER_HOST_NAME}`;
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * The launcher the browser runs: Braid's command line by absolute path (a browser starts hosts with a bare
 * environment, often without the user's PATH), with the options given at install.
 */
function launcher(options: InstallOptions): { name: string; text: string } {
  const args = [...options.command, 'browser-host'];
  if (options.database) args.push('--db', options.database);
  if (options.downloads) args.push('--downloads', options.downloads);
  if (options.app) args.push('--app', options.app);
  const env = Object.entries(options.env ?? {});
  if (process.platform === 'win32') {
    const sets = env.map(([k, v]) => `set "${k}=${v}"\r\n`).join('');
    return { name: 'braid-browser-host.bat', text: `@echo off\r\n${sets}${args.map((a) => `"${a}"`).join(' ')} %*\r\n` };
  }
  const exports = env.map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join('');
  return { name: 'braid-browser-host', text: `#!/bin/sh\n${exports}exec ${args.map(shellQuote).join(' ')} "$@"\n` };
}

/** Writes the host manifest (allowed for Braid's extension only) and its launcher; returns the manifest's path. */
export function installHost(options: InstallOptions): string {
  const folder = options.dir ?? hostFolder(options.browser);
  mkdirSync(folder, { recursive: true });
  const run = launcher(options);
  const runPath = join(folder, run.name);
  writeFileSync(runPath, run.text, { mode: 0o755 });
  chmodSync(runPath, 0o755);
  const manifest = {
    name: BROWSER_HOST_NAME,
    description: 'Braid: takes over downloads from the browser',
    path: runPath,
    type: 'stdio',
    ...(options.browser === 'firefox'
      ? { allowed_extensions: [FIREFOX_EXTENSION_ID] }
      : { allowed_origins: [`chrome-extension://${CHROMIUM_EXTENSION_ID}/`] }),
  };
  const manifestPath = join(folder, `${BROWSER_HOST_NAME}.json`);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  if (process.platform === 'win32' && !options.dir) {
    execFileSync('reg', ['add', registryKey(options.browser), '/ve', '/t', 'REG_SZ', '/d', manifestPath, '/f'], { stdio: 'ignore' });
  }
  return manifestPath;
}

/** Removes what `installHost` wrote; returns the manifest path it removed. */
export function uninstallHost(options: Pick<InstallOptions, 'browser' | 'dir'>): string {
  const folder = options.dir ?? hostFolder(options.browser);
  const manifestPath = join(folder, `${BROWSER_HOST_NAME}.json`);
  rmSync(manifestPath, { force: true });
  rmSync(join(folder, 'braid-browser-host'), { force: true });
  rmSync(join(folder, 'braid-browser-host.bat'), { force: true });
  if (process.platform === 'win32' && !options.dir) {
    try {
      execFileSync('reg', ['delete', registryKey(options.browser), '/f'], { stdio: 'ignore' });
    } catch {
      // Not registered: nothing to remove.
    }
  }
  return manifestPath;
}
