import { timingSafeEqual } from 'node:crypto';
import { chmodSync, lstatSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import type { BraidApi } from '../../shared/api';
import type { AddRequest, AddResult } from '../../shared/types';
import { checkArgs } from '../engine/index';
import { newSecret, publishEndpoint, socketPathFor } from './endpoint-file';
import { readFrames, writeFrame } from './frames';

/** What `braid browser-host` sends a running engine: the secret and the downloads. */
export interface HandoffRequest {
  secret: string;
  requests: unknown;
  /** The browser's size of each download, in the same order (null: unknown); used to match a link catch. */
  sizes?: unknown;
}

/** What takes the browser's downloads: the engine, which first offers them to an armed link catch. */
export interface HandoffTarget extends Pick<BraidApi, 'add'> {
  takeFromBrowser?(requests: AddRequest[], sizes: readonly (number | null)[]): Promise<AddResult[]>;
}

export type HandoffAnswer = { ok: true; results: AddResult[] } | { ok: false; reason: string };

/** A client that has not asked within this long is cut off. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface HandoffServer {
  close(): Promise<void>;
}

function sameSecret(a: unknown, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The sizes sent beside `count` downloads: each a byte count or null; anything else counts as unknown. */
function browserSizes(value: unknown, count: number): (number | null)[] {
  const list = Array.isArray(value) && value.length === count ? (value as unknown[]) : [];
  return Array.from({ length: count }, (_, i) => {
    const size = list[i];
    return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : null;
  });
}

async function serveOne(socket: Socket, api: HandoffTarget, secret: string): Promise<void> {
  const timer = setTimeout(() => socket.destroy(), REQUEST_TIMEOUT_MS);
  socket.on('error', () => undefined);
  try {
    for await (const message of readFrames(socket)) {
      // The timer guards against a client that never asks; the answer's own time is bounded where it is made
      // (a caught link's proof has a deadline below the client's).
      clearTimeout(timer);
      const request = message as Partial<HandoffRequest> | null;
      let answer: HandoffAnswer;
      if (!sameSecret(request?.secret, secret)) {
        answer = { ok: false, reason: 'wrong secret' };
      } else {
        try {
          // The same argument checks as the app's IPC and `braid serve`: nothing reaches the engine unchecked.
          const [requests] = await checkArgs('add', [request!.requests]);
          const results = api.takeFromBrowser ? await api.takeFromBrowser(requests, browserSizes(request!.sizes, requests.length)) : await api.add(requests);
          answer = { ok: true, results };
        } catch (error) {
          answer = { ok: false, reason: (error as Error).message };
        }
      }
      await writeFrame(socket, answer);
      break;
    }
  } catch {
    // A malformed frame ends this connection only.
  } finally {
    clearTimeout(timer);
    socket.end();
  }
}

/** An earlier run's socket left by a crash: ours to remove, since this engine holds the database's lock. */
function removeStaleSocket(path: string): void {
  if (process.platform === 'win32') return;
  try {
    const s = lstatSync(path);
    if (s.isSocket() && s.uid === process.getuid?.()) rmSync(path, { force: true });
  } catch {
    // Nothing there.
  }
}

/**
 * Lets `braid browser-host` hand the running engine the browser's downloads: a local socket and a secret,
 * published beside the database (see endpoint-file.ts). Call it while holding the database's engine lock.
 */
export async function listenForHandoffs(api: HandoffTarget, databasePath: string): Promise<HandoffServer> {
  const path = socketPathFor(databasePath);
  const secret = newSecret();
  removeStaleSocket(path);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    void serveOne(socket, api, secret);
  });
  server.maxConnections = 16;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  if (process.platform !== 'win32') chmodSync(path, 0o600);
  const withdraw = publishEndpoint(databasePath, { socket: path, secret, pid: process.pid });
  return {
    async close() {
      withdraw();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
