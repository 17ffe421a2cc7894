import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createSecureServer } from 'node:https';
import type { Socket } from 'node:net';
import { closeServer, listenOnLoopback } from './loopback';
import type { TLSSocket } from 'node:tls';
import type { TestCertificate } from './test-certificate';

/** How one path misbehaves. */
export interface RangeBehaviour {
  /** Send the body chunked (no Content-Length). */
  chunked?: boolean;
  /** Close the connection after this many body bytes. */
  dropAfter?: number;
  /** Send this many body bytes, then nothing while keeping the connection open. */
  stallAfter?: number;
  /** Never answer at all. */
  silent?: boolean;
  /** Bytes per second. */
  rate?: number;
  /** Bytes per write (16 KiB by default); large writes make TLS pack several records into one read. */
  writeSize?: number;
  /** Extra response headers (e.g. a Content-Encoding). */
  headers?: Record<string, string>;
  /** Answer a redirect to this location instead. */
  redirect?: string;
  /** The second request on a connection is met by closing it (a kept-alive socket the server dropped). */
  dropSecondRequest?: boolean;
}

/**
 * A real HTTP or HTTPS server on 127.0.0.1 serving ranges of random files, counting the connections it
 * accepts so tests can tell a kept-alive socket from a new one.
 */
export class RangeOrigin {
  private readonly server: Server;
  private readonly files = new Map<string, { data: Buffer; behaviour: RangeBehaviour }>();
  private readonly sockets = new Set<Socket>();
  private readonly requestsOn = new WeakMap<Socket, number>();
  /** Connections accepted so far. */
  connections = 0;
  /** Most connections open at once. */
  peakOpen = 0;
  /** TLS connections that resumed an earlier session instead of a full handshake. */
  resumedSessions = 0;
  /** The SNI name of each TLS connection (null when none was sent). */
  readonly servernames: (string | null)[] = [];
  readonly requests: { path: string; range: string | undefined; headers: IncomingMessage['headers'] }[] = [];
  port = 0;

  constructor(private readonly certificate?: TestCertificate) {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    this.server = certificate ? createSecureServer({ key: certificate.key, cert: certificate.cert }, handler) : createServer(handler);
    this.server.keepAliveTimeout = 10_000;
    this.server.on(certificate ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.connections++;
      this.sockets.add(socket);
      this.peakOpen = Math.max(this.peakOpen, this.sockets.size);
      if (certificate) {
        this.servernames.push((socket as TLSSocket).servername || null);
        if ((socket as TLSSocket).isSessionReused()) this.resumedSessions++;
      }
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  async start(): Promise<this> {
    this.port = await listenOnLoopback(this.server);
    return this;
  }

  close(): Promise<void> {
    return closeServer(this.server, this.sockets);
  }

  url(path: string, host = '127.0.0.1'): string {
    return `${this.certificate ? 'https' : 'http'}://${host}:${this.port}${path}`;
  }

  file(path: string, size: number, behaviour: RangeBehaviour = {}): Buffer {
    const data = randomBytes(size);
    this.files.set(path, { data, behaviour });
    return data;
  }

  /** Resolves once the server holds no connection. */
  async drained(timeoutMs = 2000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.sockets.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push({ path: req.url!, range: req.headers.range, headers: req.headers });
    const socket = req.socket;
    const nth = (this.requestsOn.get(socket) ?? 0) + 1;
    this.requestsOn.set(socket, nth);
    const f = this.files.get(req.url!);
    if (!f) {
      res.writeHead(404, { 'content-length': 0 }).end();
      return;
    }
    const b = f.behaviour;
    if (b.dropSecondRequest && nth === 2) {
      socket.destroy();
      return;
    }
    if (b.silent) return;
    if (b.redirect) {
      res.writeHead(302, { location: b.redirect, 'content-length': 0 }).end();
      return;
    }
    let start = 0;
    let end = f.data.length - 1;
    let status = 200;
    const headers: Record<string, string | number> = { 'accept-ranges': 'bytes', etag: '"v1"', ...b.headers };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), end) : end;
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${f.data.length}`;
    }
    const body = f.data.subarray(start, end + 1);
    if (!b.chunked) headers['content-length'] = body.length;
    res.writeHead(status, headers);
    this.send(res, body, b);
  }

  private send(res: ServerResponse, body: Buffer, b: RangeBehaviour): void {
    const chunk = b.writeSize ?? 16 * 1024;
    const limit = Math.min(body.length, b.dropAfter ?? Infinity, b.stallAfter ?? Infinity);
    const startedAt = Date.now();
    let sent = 0;
    const next = (): void => {
      while (sent < limit) {
        if (res.destroyed) return;
        if (b.rate) {
          const wait = startedAt + (sent / b.rate) * 1000 - Date.now();
          if (wait > 0) {
            setTimeout(next, wait);
            return;
          }
        }
        const n = Math.min(chunk, limit - sent);
        const ok = res.write(body.subarray(sent, sent + n));
        sent += n;
        if (!ok) {
          res.once('drain', next);
          return;
        }
      }
      if (sent >= body.length) res.end();
      else if (b.dropAfter !== undefined && sent >= b.dropAfter) res.socket?.end(); // what was written, then FIN
      // else: stalled, the connection stays open
    };
    next();
  }
}
