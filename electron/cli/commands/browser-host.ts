import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BridgeReply, BridgeRequest } from '../../../shared/browser-bridge';
import { handOff } from '../browser/handoff';
import { installHost, uninstallHost, type BrowserName } from '../../bridge/host-manifest';
import { FrameError, readFrames, writeFrame } from '../../bridge/frames';
import { defaultDatabasePath } from '../data-dir';
import { say } from '../store-access';

export interface HostFlags {
  db?: string;
  downloads?: string;
  /** The Braid app to start when no engine is running. */
  app?: string;
}

export interface InstallFlags extends HostFlags {
  browser: BrowserName;
  dir?: string;
}

async function answer(request: BridgeRequest, flags: HostFlags): Promise<BridgeReply> {
  if (request?.type === 'ping') return { ok: true, pong: true, version: '0.1.0' };
  if (request?.type === 'add') return handOff(request.downloads, { databasePath: resolve(flags.db ?? defaultDatabasePath()), folder: flags.downloads, app: flags.app });
  return { ok: false, reason: 'Braid does not know this request' };
}

/**
 * The native messaging host: started by the browser for Braid's extension alone (the browser checks the
 * extension's ID against the host manifest), it answers each message in turn until the browser closes stdin.
 * Nothing but frames may go to stdout: the browser reads it.
 */
export async function runBrowserHost(flags: HostFlags): Promise<number> {
  try {
    for await (const message of readFrames(process.stdin)) {
      let reply: BridgeReply;
      try {
        reply = await answer(message as BridgeRequest, flags);
      } catch (error) {
        reply = { ok: false, reason: `Braid failed: ${(error as Error).message}` };
      }
      await writeFrame(process.stdout, reply);
    }
    return 0;
  } catch (error) {
    if (error instanceof FrameError) {
      say(error.message);
      return 1;
    }
    throw error;
  }
}

/** The browser finds the database Braid uses only if the launcher names it: its environment lacks BRAID_DB. */
function databaseToRecord(flags: HostFlags): string | undefined {
  const chosen = flags.db ?? process.env['BRAID_DB'];
  return chosen ? resolve(chosen) : undefined;
}

export function runInstall(flags: InstallFlags): number {
  const path = installHost({
    browser: flags.browser,
    command: [process.execPath, realpathSync(process.argv[1]!)],
    dir: flags.dir ? resolve(flags.dir) : undefined,
    database: databaseToRecord(flags),
    downloads: flags.downloads ? resolve(flags.downloads) : undefined,
    app: flags.app ? resolve(flags.app) : undefined,
  });
  process.stdout.write(`installed the Braid host for ${flags.browser}: ${path}\n`);
  return 0;
}

export function runUninstall(flags: Pick<InstallFlags, 'browser' | 'dir'>): number {
  const path = uninstallHost({ browser: flags.browser, dir: flags.dir ? resolve(flags.dir) : undefined });
  process.stdout.write(`removed ${path}\n`);
  return 0;
}
