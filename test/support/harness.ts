import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { AddRequest, DownloadRecord, Settings } from '../../shared/types';
import { createEngine, type Clock, type Engine, type FileSystemPort, type SystemProxy, type Timing } from '../../electron/engine/index';
import { openDatabase } from '../../electron/store/database';
import { SqliteDownloadRepository } from '../../electron/store/download-repository';
import { sha256 } from './origin';

/** Short deadlines so misbehaviour shows within a test's time. */
export const FAST_TIMING: Partial<Timing> = {
  connectTimeoutMs: 2000,
  firstByteTimeoutMs: 2000,
  stallTimeoutMs: 400,
  checkpointMs: 100,
  tickMs: 50,
  retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5000 },
};

export async function tempDir(prefix = 'braid-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface Rig {
  dir: string;
  dbPath: string;
  engine: Engine;
  repo: SqliteDownloadRepository;
  /** Closes the engine and the database (not the folder): a new rig on `dbPath` is a restart. */
  stop(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * Rigs not cleaned up yet. A test that fails before its own `cleanup()` would leave its engine's sockets and
 * timers holding the file's process open until the test timeout, and its failure would read as a timeout: what a
 * test left is let go when the file's tests end.
 */
const openRigs = new Set<Rig>();
after(async () => {
  for (const rig of [...openRigs]) await rig.cleanup();
});

export async function makeRig(
  options: {
    dir?: string;
    fs?: FileSystemPort;
    clock?: Clock;
    overrides?: Partial<Settings>;
    timing?: Partial<Timing>;
    bufferSize?: number;
    systemProxy?: SystemProxy;
    receivePath?: boolean;
  } = {},
): Promise<Rig> {
  const dir = options.dir ?? (await tempDir());
  const dbPath = join(dir, 'state.db');
  const db = openDatabase(dbPath);
  const repo = new SqliteDownloadRepository(db);
  const engine = createEngine({
    repo,
    fs: options.fs,
    overrides: { folder: join(dir, 'files'), ...options.overrides },
    timing: { ...FAST_TIMING, ...options.timing },
    bufferSize: options.bufferSize,
    clock: options.clock,
    systemProxy: options.systemProxy,
    receivePath: options.receivePath,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await engine.close();
    db.close();
  };
  const rig: Rig = {
    dir,
    dbPath,
    engine,
    repo,
    stop,
    cleanup: async () => {
      openRigs.delete(rig);
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  openRigs.add(rig);
  return rig;
}

/** Adds the downloads, runs the engine until they settle, and returns their records. */
export async function runDownloads(rig: Rig, requests: AddRequest[]): Promise<DownloadRecord[]> {
  const results = await rig.engine.add(requests);
  const ids = results.map((r) => {
    if (!r.ok) throw new Error(`refused: ${r.error.message}`);
    return r.id;
  });
  rig.engine.start();
  await rig.engine.whenSettled(ids);
  return ids.map((id) => rig.repo.get(id)!);
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Waits until more than `bytes` of download `id` have arrived, on disk or still in its write buffers (the live
 * figure a face shows). Bytes reach the disk a whole buffer or a checkpoint at a time, so a small file can be
 * complete before any count on disk passes a threshold; what arrived is what a pause or a cut connection keeps.
 */
export async function waitForReceived(rig: Rig, id: number, bytes: number, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { items } = await rig.engine.list({ limit: 10_000 });
    if ((items.find((d) => d.id === id)?.bytesDone ?? 0) > bytes) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The download completed, and its file holds exactly `data`. */
export async function assertCompletedWith(record: DownloadRecord, data: Buffer, message?: string): Promise<void> {
  assert.equal(record.status, 'completed', JSON.stringify(record.error));
  assert.equal(sha256(await readFile(join(record.folder, record.name!))), sha256(data), message);
}
