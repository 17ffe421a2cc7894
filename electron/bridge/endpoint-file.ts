import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a running engine takes downloads from `braid browser-host`: a local socket (a named pipe on Windows) and
 * a secret, written beside the database in a file only its user can read and removed when the engine stops. No
 * TCP port: a web page can reach neither the socket nor the file.
 */
export interface HandoffEndpoint {
  socket: string;
  secret: string;
  pid: number;
}

export function endpointPath(databasePath: string): string {
  return `${databasePath}.endpoint.json`;
}

/** Socket paths are short (108 bytes on Linux, 104 on macOS): beside the database when it fits, else in the temp folder. */
export function socketPathFor(databasePath: string): string {
  const tag = createHash('sha256').update(databasePath).digest('hex').slice(0, 16);
  if (process.platform === 'win32') return `\\\\.\\pipe\\braid-${tag}`;
  const beside = `${databasePath}.sock`;
  return Buffer.byteLength(beside) < 100 ? beside : join(tmpdir(), `braid-${process.getuid?.() ?? 0}-${tag}.sock`);
}

export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** Writes the endpoint whole (a private temporary name, then a rename); returns how to withdraw it. */
export function publishEndpoint(databasePath: string, endpoint: HandoffEndpoint): () => void {
  const path = endpointPath(databasePath);
  const temporary = `${path}.${randomBytes(6).toString('hex')}`;
  const text = JSON.stringify(endpoint);
  writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, path);
  return () => {
    // Another engine may have published since (after this one's lock was found stale): leave its file alone.
    if (readText(path) === text) rmSync(path, { force: true });
  };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** Whether `path` was made by this user and by nobody else's hand: a regular file or socket, ours, private. */
function ours(path: string, kind: 'file' | 'socket'): boolean {
  if (process.platform === 'win32') return true;
  const s = lstatSync(path);
  if (kind === 'file' ? !s.isFile() : !s.isSocket()) return false;
  return s.uid === process.getuid?.() && (s.mode & 0o077) === 0;
}

/**
 * The endpoint of the engine running on this database, or null when none is published, its process is gone,
 * or the file or its socket is not this user's alone (a link, another owner, open to others).
 */
export function readEndpoint(databasePath: string): HandoffEndpoint | null {
  const path = endpointPath(databasePath);
  try {
    if (!ours(path, 'file')) return null;
    const e = JSON.parse(readFileSync(path, 'utf8')) as Partial<HandoffEndpoint>;
    if (typeof e.socket !== 'string' || typeof e.secret !== 'string' || !Number.isSafeInteger(e.pid)) return null;
    if (!alive(e.pid!) || !ours(e.socket, 'socket')) return null;
    return e as HandoffEndpoint;
  } catch {
    return null;
  }
}
