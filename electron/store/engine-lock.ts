import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { StoreError } from './database';

/** How long to keep trying while another process is in the middle of taking a stale lock over. */
const DEADLINE_MS = 3000;
/** A lock file with no pid in it yet (an older Braid writes it after creating it) is stale only after this. */
const UNWRITTEN_GRACE_MS = 2000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as { code?: string }).code === 'EPERM';
  }
}

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** One version of a file: its inode and change time, which a replaced or re-created file never shares. */
interface Instance {
  ino: bigint;
  ctimeNs: bigint;
  mtimeMs: number;
}

function instanceOf(path: string): Instance | null {
  try {
    const s = statSync(path, { bigint: true });
    return { ino: s.ino, ctimeNs: s.ctimeNs, mtimeMs: Number(s.mtimeMs) };
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return null;
    throw error;
  }
}

function sameInstance(a: Instance | null, b: Instance | null): boolean {
  return a !== null && b !== null && a.ino === b.ino && a.ctimeNs === b.ctimeNs;
}

/** The pid in a lock file; NaN when it holds none; null when the file is gone. */
function readPid(path: string): number | null {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return /^[1-9]\d*$/.test(text) ? Number(text) : NaN;
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Creates `path` holding exactly what `source` holds, atomically, failing with EEXIST if anything is there: a
 * hard link of a file written beforehand, so nobody ever reads a half-written lock. Where the file system has
 * no hard links, an exclusive create then a write.
 */
function createFrom(source: string, path: string, content: string): void {
  try {
    linkSync(source, path);
  } catch (error) {
    const code = codeOf(error);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV' && code !== 'EMLINK') throw error;
    const fd = openSync(path, 'wx');
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * Removes the lock instance `stale` (its owner died) so that a new lock can be created, without ever removing a
 * lock another process has just created. Contenders that saw the same stale instance race for a takeover file
 * named after that instance, created exclusively; only its holder may unlink the lock, and only after checking
 * under it that the lock is still that very instance. Nothing else ever replaces an existing lock: a new one is
 * only created where none is, and a live owner's lock is never judged stale. A takeover file whose holder died
 * mid-way is passed over to the next generation, which again exactly one contender creates. Returns false when
 * someone else is doing the takeover (try again shortly).
 */
function removeStale(path: string, stale: Instance, mine: string, pid: string): boolean {
  for (let generation = 0; generation < 100; generation++) {
    const takeover = `${path}.takeover-${stale.ino}-${stale.ctimeNs}-${generation}`;
    try {
      createFrom(mine, takeover, pid);
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw error;
      const holder = readPid(takeover);
      if (holder === null) return false; // its holder just finished: look at the lock again
      if (Number.isNaN(holder) || alive(holder)) return false; // being taken over right now
      continue; // its holder died during the takeover: the next generation decides
    }
    try {
      if (sameInstance(instanceOf(path), stale)) unlinkSync(path);
    } finally {
      try {
        unlinkSync(takeover);
      } catch {
        /* already gone */
      }
    }
    return true;
  }
  return false;
}

/**
 * How a lock instance stands: its owner `alive`; `unwritten`, no pid in it yet and still young enough that its
 * creator may be writing it; or `stale`, to be taken over.
 */
function lockState(instance: Instance, owner: number): 'alive' | 'unwritten' | 'stale' {
  if (Number.isNaN(owner)) return Date.now() - instance.mtimeMs < UNWRITTEN_GRACE_MS ? 'unwritten' : 'stale';
  return alive(owner) ? 'alive' : 'stale';
}

/**
 * Whether an engine holds the lock of this database now (one being written counts, for as long as a taker would
 * wait on it): what `active` rows mean. A lock that cannot be read says nothing: no engine is assumed.
 */
export function engineRunning(dbPath: string): boolean {
  const path = `${dbPath}.lock`;
  try {
    const instance = instanceOf(path);
    const owner = instance ? readPid(path) : null;
    return instance !== null && owner !== null && lockState(instance, owner) !== 'stale';
  } catch {
    return false;
  }
}

/**
 * Only one engine may run the queue of a database (`get`, `serve`, the app); `add` and `list` need no lock.
 * The lock is a file beside the database holding the owner's pid, created atomically with its content; a lock
 * whose owner has died (a crash, a SIGKILL) is taken over by exactly one of the processes that want it.
 * `advice` follows the refusal: what the one refused can do, which differs between the app and a command.
 */
export function acquireEngineLock(dbPath: string, advice = ''): { release(): void } {
  const path = `${dbPath}.lock`;
  const pid = String(process.pid);
  // Unique beside the lock for this attempt (the pid alone could be a dead process's that left its file); not a
  // secret, so not worth loading Node's crypto at every start. `wx` refuses a name that is taken all the same.
  const mine = `${path}.${pid}-${Math.random().toString(36).slice(2, 10)}`;
  writeFileSync(mine, pid, { flag: 'wx' });
  const deadline = Date.now() + DEADLINE_MS;
  try {
    for (;;) {
      try {
        createFrom(mine, path, pid);
        return { release: () => releaseLock(path, pid) };
      } catch (error) {
        if (codeOf(error) !== 'EEXIST') throw error;
      }
      const instance = instanceOf(path);
      const owner = instance ? readPid(path) : null;
      // The pid read must be that of the instance looked at: a lock replaced meanwhile is looked at again.
      if (instance && owner !== null && sameInstance(instance, instanceOf(path))) {
        const state = lockState(instance, owner);
        if (state === 'alive' && owner !== process.pid) {
          throw new StoreError('DB_LOCKED', `another Braid (pid ${owner}) is running downloads from ${dbPath}${advice ? `: ${advice}` : ''}`);
        }
        if (state !== 'unwritten' && removeStale(path, instance, mine, pid)) continue;
      }
      // Gone meanwhile (try again now), or someone else is taking it over or writing it (look again shortly).
      if (Date.now() > deadline) throw new StoreError('DB_LOCKED', `cannot lock ${dbPath} for downloading`);
      if (instance) sleepSync(5 + Math.random() * 10);
    }
  } finally {
    try {
      unlinkSync(mine);
    } catch {
      /* already gone */
    }
  }
}

function releaseLock(path: string, pid: string): void {
  try {
    // Nobody replaces a live owner's lock, so what holds our pid is ours.
    if (readFileSync(path, 'utf8') === pid) unlinkSync(path);
  } catch {
    /* already gone */
  }
}
