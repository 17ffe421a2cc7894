import { resolve } from 'node:path';
import { openDatabase, type StateDatabase } from '../store/database';
import { SqliteDownloadRepository } from '../store/download-repository';
import { acquireEngineLock } from '../store/engine-lock';
import { defaultDatabasePath } from './data-dir';

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
  const db = openDatabase(path);
  return { db, path, repo: new SqliteDownloadRepository(db) };
}

/** The store for a command that runs downloads: refused while another engine runs on the same database. */
export function openStoreToRun(flags: CommonFlags): OpenStore & { lock: { release(): void } } {
  const store = openStore(flags);
  try {
    const lock = acquireEngineLock(store.path);
    return { ...store, lock };
  } catch (error) {
    store.db.close();
    throw error;
  }
}

export function say(line: string): void {
  process.stderr.write(`braid: ${line}\n`);
}
