import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * How a running engine lets `braid browser-host` hand it a download: `braid serve` writes its WebSocket's
 * address and secret beside the database, in a file only its user can read, and removes it when it stops. The
 * host connects as a tool does (no Origin, the secret first), so `braid serve`'s rules stay as they are, and
 * nothing new listens: a web page knows neither the file nor the secret.
 */
export interface EngineEndpoint {
  /** `ws://127.0.0.1:PORT/api`. */
  url: string;
  secret: string;
  pid: number;
}

export function endpointPath(databasePath: string): string {
  return `${databasePath}.endpoint.json`;
}

/** A loopback address for the host to call: a wildcard listener is reached on loopback, anything else is not used. */
function loopbackUrl(serverUrl: string): string | null {
  const u = new URL(serverUrl);
  const host = u.hostname;
  const map: Record<string, string> = { '0.0.0.0': '127.0.0.1', '[::]': '[::1]', localhost: '127.0.0.1', '[::1]': '[::1]' };
  const target = map[host] ?? (/^127\.\d+\.\d+\.\d+$/.test(host) ? host : null);
  return target === null ? null : `ws://${target}:${u.port}/api`;
}

/**
 * Publishes the endpoint of `braid serve` at `serverUrl`; returns how to withdraw it. Written to a private
 * temporary name first, so a reader sees the whole file or none.
 */
export function publishEndpoint(databasePath: string, serverUrl: string, secret: string): () => void {
  const url = loopbackUrl(serverUrl);
  if (url === null) return () => undefined;
  const path = endpointPath(databasePath);
  const temporary = `${path}.${randomBytes(6).toString('hex')}`;
  const text = JSON.stringify({ url, secret, pid: process.pid } satisfies EngineEndpoint);
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

/**
 * The endpoint of the engine running on this database, or null when none is published, its process is gone,
 * or the file is not one this user alone could have written (a link, another owner, readable by others).
 */
export function readEndpoint(databasePath: string): EngineEndpoint | null {
  const path = endpointPath(databasePath);
  try {
    const s = lstatSync(path);
    if (!s.isFile()) return null;
    if (process.platform !== 'win32' && (s.uid !== process.getuid?.() || (s.mode & 0o077) !== 0)) return null;
    const e = JSON.parse(readFileSync(path, 'utf8')) as Partial<EngineEndpoint>;
    if (typeof e.url !== 'string' || typeof e.secret !== 'string' || !Number.isSafeInteger(e.pid)) return null;
    if (loopbackUrl(e.url.replace(/^ws:/, 'http:')) === null || !alive(e.pid!)) return null;
    return e as EngineEndpoint;
  } catch {
    return null;
  }
}
