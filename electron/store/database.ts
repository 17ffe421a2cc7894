import Database from 'better-sqlite3';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations/index';

export class StoreError extends Error {
  constructor(
    readonly code: 'DB_TOO_NEW' | 'DB_UNREADABLE' | 'DB_CANNOT_CREATE' | 'DB_LOCKED' | 'DB_IS_FOLDER' | 'SQLITE_ADDON',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Opens (or creates) a Braid database: WAL with full fsync so a committed checkpoint survives power loss,
 * a busy timeout so a second process waits instead of failing, and pending migrations in one transaction.
 * A database written by a newer Braid is refused, untouched.
 */
/** An open state database, for faces that must close what they opened. */
export type StateDatabase = Database.Database;

/**
 * @param addon the path of better-sqlite3's compiled addon, for a bundle that carries better-sqlite3's JavaScript
 * (which would otherwise look for the addon from the bundle's own folder, where it is not).
 */
export function openDatabase(path: string, addon?: string): Database.Database {
  if (path !== ':memory:' && isFolder(path)) {
    // "Move the file aside" would be the wrong advice: there is no file, the path names a folder.
    throw new StoreError('DB_IS_FOLDER', `the database ${path} is a folder; give the path of a file in it, such as ${join(path, 'braid.db')}`);
  }
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const existed = path === ':memory:' || existsSync(path);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: 5000, ...(addon ? { nativeBinding: addon } : {}) });
    db.pragma('journal_mode = WAL');
  } catch (error) {
    db?.close();
    if (!existed) forgetEmpty(path);
    // A full disk has its own advice; moving a file aside is for one that is there and cannot be read.
    if ((error as { code?: unknown }).code === 'SQLITE_FULL') throw error;
    // The addon, not the file, failed (built for Electron by `npm start`, or for another Node): the file is sound
    // and moving it aside would lose the queue for nothing.
    if ((error as { code?: unknown }).code === 'ERR_DLOPEN_FAILED') throw addonFailure(error as Error, existed ? `The database ${path} was not touched` : 'No database was created');
    if (!existed) throw new StoreError('DB_CANNOT_CREATE', `cannot create the database ${path}: ${(error as Error).message}`);
    throw new StoreError('DB_UNREADABLE', `cannot open the database ${path}: ${(error as Error).message}`);
  }
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  const opened = db;
  const tooNew = (version: number) =>
    new StoreError('DB_TOO_NEW', `the database ${path} is from a newer Braid (schema ${version}, this one knows ${SCHEMA_VERSION}); it was left untouched`);
  const current = opened.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    opened.close();
    throw tooNew(current);
  }
  if (current < SCHEMA_VERSION) {
    try {
      opened
        .transaction(() => {
          // Read again under the write lock: another Braid opening the same new database at the same instant may
          // have migrated it while this one waited, and running a migration twice fails ("table already exists").
          const now = opened.pragma('user_version', { simple: true }) as number;
          if (now > SCHEMA_VERSION) throw tooNew(now);
          for (const m of MIGRATIONS) if (m.version > now) m.up(opened);
          if (now < SCHEMA_VERSION) opened.pragma(`user_version = ${SCHEMA_VERSION}`);
        })
        .immediate();
    } catch (error) {
      opened.close();
      throw error;
    }
  }
  return opened;
}

/** Removes what a failed first open left: an empty file (and its journal), never one holding a queue. */
function forgetEmpty(path: string): void {
  try {
    if (statSync(path).size > 0) return;
    for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
  } catch {
    // Not created at all.
  }
}

function addonFailure(error: Error, outcome: string): StoreError {
  const cause = error.message.split('\n')[0];
  return new StoreError(
    'SQLITE_ADDON',
    `SQLite's compiled addon (better-sqlite3) does not load in this ${process.versions.electron ? 'Electron' : 'Node'}: ${cause}. ` +
      `It is built for one runtime at a time: \`npm rebuild better-sqlite3\` builds it for Node (the command line), ` +
      `\`npm start\` for the app. ${outcome}`,
  );
}

/**
 * What to tell a person when the state database cannot be used, or null when `error` is not about it.
 * Nothing is changed in these cases, so the message says how to go on.
 */
export function describeStoreFailure(error: unknown): string | null {
  if (error instanceof StoreError) {
    return error.code === 'DB_UNREADABLE' ? `${error.message}; move the file aside to start with an empty queue` : error.message;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return `the state database is locked by another program; nothing was changed, try again when it is done (${code})`;
  }
  if (code === 'SQLITE_FULL') {
    // The file is sound: moving it aside would lose the queue for nothing.
    return `the disk that holds the state database is full; free some space and try again (${code})`;
  }
  return `the state database cannot be used: ${(error as Error).message} (${code}); move the file aside to start with an empty queue`;
}
