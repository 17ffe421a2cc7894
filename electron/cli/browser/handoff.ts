import { resolve } from 'node:path';
import type { BridgeOutcome, BridgeReply, BrowserDownload } from '../../../shared/browser-bridge';
import type { AddRequest, AddResult } from '../../../shared/types';
import { readEndpoint } from '../../bridge/endpoint-file';
import { EngineUnreachable, handToEngine } from '../../bridge/handoff-client';
import { openStore } from '../store-access';
import { toAddRequest } from './to-add-request';

export interface HandoffOptions {
  /** The state database (`--db`, `BRAID_DB`, else the default). */
  databasePath: string;
  /** Folder for the downloads; absent means the settings folder. */
  folder?: string;
  /** The Braid app to start when no engine runs, so what was queued runs now. */
  app?: string;
}

/** Downloads handed over in one message, at most. */
const MAX_DOWNLOADS = 1000;

function outcomes(results: AddResult[]): BridgeOutcome[] {
  return results.map((r) => (r.ok ? { ok: true, id: r.id } : { ok: false, reason: r.error.message }));
}

/** Queues into the database for the next engine that starts on it, as `braid add` does. */
async function queue(requests: AddRequest[], databasePath: string): Promise<AddResult[]> {
  const { createEngine, dispatch } = await import('../../engine/index');
  const { db, repo } = openStore({ db: databasePath });
  const engine = createEngine({ repo });
  try {
    return (await dispatch(engine, 'add', [requests])) as AddResult[];
  } finally {
    await engine.close();
    db.close();
  }
}

function problem(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Hands the browser's downloads to Braid: to the engine running on the database when one published its
 * endpoint, else into the database. Any failure comes back as a reason, so the browser keeps its download.
 */
export async function handOff(downloads: BrowserDownload[], options: HandoffOptions): Promise<BridgeReply> {
  if (!Array.isArray(downloads) || downloads.length === 0) return { ok: false, reason: 'no downloads in the message' };
  if (downloads.length > MAX_DOWNLOADS) return { ok: false, reason: `more than ${MAX_DOWNLOADS} downloads at once` };
  const folder = options.folder ? resolve(options.folder) : undefined;
  const requests = downloads.map((d) => toAddRequest(d ?? {}, folder));
  const endpoint = readEndpoint(options.databasePath);
  if (endpoint) {
    try {
      const sizes = downloads.map((d) => (typeof d?.size === 'number' ? d.size : null));
      return { ok: true, via: 'engine', results: outcomes(await handToEngine(endpoint, requests, sizes)) };
    } catch (error) {
      if (!(error instanceof EngineUnreachable)) return { ok: false, reason: `Braid refused: ${problem(error)}` };
      // Published but not answering (killed without removing its file): the database is the way in.
    }
  }
  let results: BridgeOutcome[];
  try {
    results = outcomes(await queue(requests, options.databasePath));
  } catch (error) {
    const { describeStoreFailure } = await import('../../store/database');
    return { ok: false, reason: `Braid could not queue it: ${describeStoreFailure(error) ?? problem(error)}` };
  }
  if (!options.app || !results.some((r) => r.ok)) return { ok: true, via: 'queue', results };
  const { startApp } = await import('./start-app');
  const appProblem = await startApp(options.app);
  return { ok: true, via: 'queue', results, app: appProblem ?? 'started' };
}
