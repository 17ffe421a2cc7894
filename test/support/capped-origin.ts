import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { closeServer, listenOnLoopback } from './loopback';

/** How a server that limits connections turns away one too many. */
export type Refusal = '503' | '429' | 'reset' | 'whole';

/**
 * A real HTTP server on 127.0.0.1 that serves one file to at most `allowed` requests at once, each at `rate`
 * bytes per second, and turns away the others: 503 or 429 without Retry-After, a TCP reset, or (a moment later,
 * as a busy server answers) the whole file with 200 whatever range was asked, its first bytes then nothing. HEAD is always
 * answered (it carries no body). It counts what it refused, and the most it ever served at once.
 */
export class CappedOrigin {
  readonly data: Buffer;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private active = 0;
  refused = 0;
  served = 0;
  mostAtOnce = 0;
  /** The remote port of every connection it accepted: who connected, when all come from 127.0.0.1. */
  readonly peers: number[] = [];

  constructor(
    size: number,
    private readonly allowed: number,
    private readonly rate: number,
    private readonly refusal: Refusal,
  ) {
    this.data = randomBytes(size);
    this.server = createServer((req, res) => {
      const headers = { 'accept-ranges': 'bytes', etag: '"capped-1"', 'content-type': 'application/octet-stream' };
      if (req.method === 'HEAD') {
        res.writeHead(200, { ...headers, 'content-length': this.data.length }).end();
        return;
      }
      if (this.active >= this.allowed) {
        this.refused++;
        if (this.refusal === 'reset') req.socket.resetAndDestroy();
        else if (this.refusal === 'whole') {
          setTimeout(() => {
            if (!res.destroyed) res.writeHead(200, { ...headers, 'content-length': this.data.length }).write(this.data.subarray(0, 16 * 1024));
          }, 100);
        } else res.writeHead(Number(this.refusal), { 'content-length': 0 }).end();
        return;
      }
      const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      const first = match ? Number(match[1]) : 0;
      const last = match && match[2] ? Math.min(Number(match[2]), this.data.length - 1) : this.data.length - 1;
      this.active++;
      this.served++;
      this.mostAtOnce = Math.max(this.mostAtOnce, this.active);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.active--;
        clearInterval(timer);
      };
      res.writeHead(match ? 206 : 200, {
        ...headers,
        'content-length': last - first + 1,
        ...(match ? { 'content-range': `bytes ${first}-${last}/${this.data.length}` } : {}),
      });
      // The rate in 20 slices a second.
      const slice = Math.max(1, Math.floor(this.rate / 20));
      let at = first;
      const timer = setInterval(() => {
        const end = Math.min(at + slice, last + 1);
        res.write(this.data.subarray(at, end));
        at = end;
        if (at > last) {
          finish();
          res.end();
        }
      }, 50);
      res.on('close', finish);
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      this.peers.push(socket.remotePort!);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    this.port = await listenOnLoopback(this.server);
    return this;
  }

  url(path = '/capped.bin'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** `127.0.0.1:port`, as Braid names the server. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The server goes away for `ms`: every connection cut, new ones refused (nothing listens), then it is back. */
  async outage(ms: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    await new Promise((resolve) => setTimeout(resolve, ms));
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  resetCounts(): void {
    this.peers.length = 0;
    this.refused = 0;
    this.served = 0;
    this.mostAtOnce = 0;
  }

  close(): Promise<void> {
    return closeServer(this.server, this.sockets);
  }
}
