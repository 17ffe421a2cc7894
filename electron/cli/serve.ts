import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BraidApi } from '../../shared/api';
import { CLOSE_BAD_MESSAGE, CLOSE_UNAUTHORIZED, type ClientMessage, type ServerMessage } from '../../shared/wire';
import { dispatch, toWireError } from '../engine/index';

export interface ServeOptions {
  host: string;
  port: number;
  secret?: string;
  /** The built renderer (index.html and assets). */
  staticDir: string;
}

export interface RunningServer {
  url: string;
  secret: string;
  close(): Promise<void>;
}

/** Largest WebSocket message accepted; an add of thousands of URLs fits, a flood does not. */
const MAX_MESSAGE = 4 * 1024 * 1024;
/** A browser that reads events slower than they come gets snapshots skipped rather than queued without end. */
const MAX_BUFFERED = 8 * 1024 * 1024;
const HELLO_TIMEOUT_MS = 5000;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function serveStatic(dir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  const file = normalize(join(dir, path === '/' ? 'index.html' : path));
  if (!file.startsWith(dir + sep)) {
    res.writeHead(404).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404).end();
  }
}

function urlOf(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/**
 * The origin to open, and the origins a page of this server can have. Listening on every address (0.0.0.0, ::),
 * a page may be opened at any address of this machine; only addresses, never names, so a name that resolves
 * here (DNS rebinding) is still a foreign origin.
 */
function originsOf(address: AddressInfo): { origin: string; allowedOrigins: Set<string> } {
  const port = address.port;
  const allowedOrigins = new Set([`http://localhost:${port}`]);
  if (address.address !== '0.0.0.0' && address.address !== '::') {
    const origin = urlOf(address.address, port);
    allowedOrigins.add(origin);
    return { origin, allowedOrigins };
  }
  for (const nic of Object.values(networkInterfaces()).flat()) {
    if (nic && (address.address === '::' || nic.family === 'IPv4')) allowedOrigins.add(urlOf(nic.address, port));
  }
  return { origin: urlOf('127.0.0.1', port), allowedOrigins };
}

/**
 * The engine behind HTTP and a WebSocket carrying the BraidApi: the same UI as the app, in a browser. The
 * socket answers only after the secret, and only to pages of this server's own origin.
 */
export async function startServer(api: BraidApi, options: ServeOptions): Promise<RunningServer> {
  const secret = options.secret ?? randomBytes(18).toString('base64url');
  const staticDir = normalize(options.staticDir);
  const http = createServer((req, res) => void serveStatic(staticDir, req, res));
  http.requestTimeout = 30_000;
  http.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const { origin, allowedOrigins } = originsOf(http.address() as AddressInfo);

  const wss = new WebSocketServer({
    server: http,
    path: '/api',
    maxPayload: MAX_MESSAGE,
    // A browser always sends Origin: a page of another site must not drive the engine. Tools without a
    // browser send none and still need the secret.
    verifyClient: ({ origin: o }: { origin?: string }) => o === undefined || allowedOrigins.has(o),
  });
  const clients = new Set<WebSocket>();
  const send = (ws: WebSocket, message: ServerMessage) => ws.send(JSON.stringify(message));

  // A client that missed a snapshot missed the rows it carried: the next one it gets tells it to page again.
  const missedSnapshot = new WeakSet<WebSocket>();
  const unsubscribe = api.onEvent((event) => {
    const text = JSON.stringify({ type: 'event', event } satisfies ServerMessage);
    let catchUp: string | null = null;
    for (const ws of clients) {
      if (event.type === 'snapshot' && ws.bufferedAmount > MAX_BUFFERED) {
        missedSnapshot.add(ws);
        continue;
      }
      if (event.type === 'snapshot' && missedSnapshot.has(ws)) {
        missedSnapshot.delete(ws);
        catchUp ??= JSON.stringify({ type: 'event', event: { ...event, listChanged: true } } satisfies ServerMessage);
        ws.send(catchUp);
        continue;
      }
      ws.send(text);
    }
  });

  wss.on('connection', (ws) => {
    let authenticated = false;
    const hello = setTimeout(() => ws.close(CLOSE_UNAUTHORIZED, 'secret required'), HELLO_TIMEOUT_MS);
    ws.on('close', () => {
      clearTimeout(hello);
      clients.delete(ws);
    });
    // A client's protocol error (an oversized or malformed frame) ends that socket, never the server;
    // ws closes it with the matching code (1009, 1002) after this.
    ws.on('error', () => undefined);
    ws.on('message', (data) => {
      let message: ClientMessage;
      try {
        message = JSON.parse(data.toString()) as ClientMessage;
      } catch {
        ws.close(CLOSE_BAD_MESSAGE, 'not JSON');
        return;
      }
      if (!authenticated) {
        if (message?.type !== 'hello' || typeof message.secret !== 'string' || !sameSecret(message.secret, secret)) {
          ws.close(CLOSE_UNAUTHORIZED, 'wrong secret');
          return;
        }
        authenticated = true;
        clearTimeout(hello);
        clients.add(ws);
        send(ws, { type: 'ready' });
        return;
      }
      if (message?.type !== 'call' || !Number.isSafeInteger(message.id)) {
        ws.close(CLOSE_BAD_MESSAGE, 'expected a call');
        return;
      }
      const { id } = message;
      dispatch(api, message.method, message.args).then(
        (value) => send(ws, { type: 'result', id, ok: true, value: value ?? null }),
        (error: unknown) => {
          const e = toWireError(error);
          send(ws, { type: 'result', id, ok: false, error: e });
        },
      );
    });
  });

  return {
    url: origin,
    secret,
    async close() {
      unsubscribe();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
