import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { StoreError } from './database';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Only one engine may run the queue of a database (`get`, `serve`, the app); `add` and `list` need no lock.
 * The lock is a file beside the database holding the owner's pid, created exclusively; a lock whose owner has
 * died (a crash, a SIGKILL) is taken over.
 */
export function acquireEngineLock(dbPath: string): { release(): void } {
  const path = `${dbPath}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        release: () => {
          try {
            if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      let owner = NaN;
      try {
        owner = Number(readFileSync(path, 'utf8'));
      } catch {
        continue; // removed between our open and read: try again
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new StoreError('DB_LOCKED', `another Braid (pid ${owner}) is running downloads from ${dbPath}; use \`braid add\` to queue into it`);
      }
      try {
        unlinkSync(path); // the owner died without releasing it
      } catch {
        /* someone else took it over first */
      }
    }
  }
  throw new StoreError('DB_LOCKED', `cannot lock ${dbPath} for downloading`);
}
