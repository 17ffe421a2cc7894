import { resolve } from 'node:path';
import type { DownloadError } from '../../shared/types';
import { describeStoreFailure, openDatabase, type StateDatabase } from '../store/database';
import { SqliteDownloadRepository } from '../store/download-repository';
import { acquireEngineLock } from '../store/engine-lock';
import { defaultDatabasePath } from './data-dir';
import { sqliteAddonPath } from '../store/sqlite-addon';

export interface CommonFlags {
  db?: string;
  input?: string;
  dir?: string;
}

export interface OpenStore {
  db: StateDatabase;
  path: string;
  repo: SqliteDownloadRepository;
}

/** The database a command uses: `--db`, else the default one. */
export function databasePath(flags: CommonFlags): string {
  return resolve(flags.db ?? defaultDatabasePath());
}

export function openStore(flags: CommonFlags): OpenStore {
  const path = databasePath(flags);
  const db = openDatabase(path, sqliteAddonPath());
  return { db, path, repo: new SqliteDownloadRepository(db) };
}

/** The store for a command that runs downloads: refused while another engine runs on the same database. */
export function openStoreToRun(flags: CommonFlags): OpenStore & { lock: { release(): void } } {
  const store = openStore(flags);
  try {
    // Which kind of Braid holds the lock is not known, and the two want different advice.
    const lock = acquireEngineLock(
      store.path,
      'if it is the app or `braid serve`, `braid add` queues into it; a `braid get` runs only its own list, so wait for ' +
        'it to end, or give this command another database with --db FILE',
    );
    return { ...store, lock };
  } catch (error) {
    store.db.close();
    throw error;
  }
}

export function say(line: string): void {
  process.stderr.write(`braid: ${line}\n`);
}

/** What the store (or whatever else) threw when a download could not start or be queued again, as a download error. */
export function storeRefusalError(thrown: unknown): DownloadError {
  return { code: 'INTERNAL', message: describeStoreFailure(thrown) ?? (thrown instanceof Error ? thrown.message : String(thrown)) };
}
