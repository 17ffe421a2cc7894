import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { closeServer, listenOnLoopback } from './loopback';

/** Ways a served file misbehaves; each `...Times` counts the requests that misbehave before it behaves. */
export interface Behaviour {
  ignoreRange?: boolean;
  /** Advertise Accept-Ranges but answer every range with the whole body. */
  lieAboutRanges?: boolean;
  refuseHead?: boolean;
  /** Cut the connection after this many body bytes. */
  dropAfter?: number;
  /** Cut it with a TCP reset instead of a close. */
  dropWithReset?: boolean;
  dropTimes?: number;
  /** Send this many body bytes, then nothing (connection left open). */
  stallAfter?: number;
  stallTimes?: number;
  /** Answer a Content-Range that starts one byte late. */
  wrongRangeTimes?: number;
  /** Answer every range with as many bytes from the file's start (206, Content-Range from 0). */
  rangeFromStart?: boolean;
  /** Answer 429 with this Retry-After. */
  tooManyTimes?: number;
  /** The 429s answer HEAD too (the very first request of a download), not only GET. */
  tooManyHead?: boolean;
  retryAfter?: string;
  /** Answer this status (e.g. 404, 500) every time. */
  status?: number;
  /** Answer `burstStatus` to the first `burstTimes` GETs (a 5xx burst). */
  burstStatus?: number;
  burstTimes?: number;
  /** The burst starts after this many GETs were answered normally. */
  burstAfter?: number;
  /** GETs after the first `slowAnswerAfter` wait this many ms before they are answered (a distant or busy server). */
  slowAnswerMs?: number;
  slowAnswerAfter?: number;
  /** HEADs after the first wait this many ms before they are answered (a probe again that takes its time). */
  slowHeadMs?: number;
  /** Send one byte every this many ms (a slow-loris answer that is never quite silent). */
  trickleEveryMs?: number;
  trickleTimes?: number;
  /** Bytes per second per response. */
  rate?: number;
  /** Bytes per second for a response that starts at `start`, over `rate` (slow connections among fast ones). */
  rangeRate?: (start: number) => number | undefined;
  /** After this many GETs, the file is replaced by another of the same size (new ETag). */
  changeAfter?: number;
  contentDisposition?: string;
  /** Send this Content-Encoding with every answer, whatever was asked (a `.tar.gz` labelled `gzip`). */
  contentEncoding?: string;
  /** Send Content-Disposition on GET answers only (HEAD has none). */
  dispositionOnGetOnly?: boolean;
  /** Answer HEAD with this status (refuseHead is 405). */
  headStatus?: number;
  /** Send no ETag / Last-Modified. */
  noValidators?: boolean;
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean;
  /** Answer 401 with a Basic challenge unless these `user:pass` credentials come along. */
  basicAuth?: string;
  /** Claim this size in HEAD answers (a server that lies about an absurd length). */
  claimSize?: number;
  /**
   * A signed link: requests must carry `?exp=T` (ms since the epoch, as `signedRedirect` hands out) with T not
   * past, or are answered `expiredStatus` with `expiredBody`.
   */
  signed?: boolean;
  /** Once this many body bytes of the file were sent, every request is refused (a link that expired, no redirect). */
  expireAfterBytes?: number;
  /** How an expired link is refused (default 403, empty body). */
  expiredStatus?: number;
  expiredBody?: string;
  /** Send this ETag instead of the one made of version and size. */
  etag?: string;
  /** Answer 403 unless the request's Cookie header carries this `name=value` (a file behind a session). */
  cookie?: string;
}

interface Served {
  data: Buffer;
  /** Body bytes of this file sent so far. */
  sent: number;
  version: number;
  behaviour: Behaviour;
  gets: number;
  counters: Record<string, number>;
}

export interface Logged {
  method: string;
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
  headers: IncomingMessage['headers'];
  status: number;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A real HTTP server on 127.0.0.1 that serves files and misbehaves on purpose. */
export class TestOrigin {
  private readonly server: Server;
  private readonly files = new Map<string, Served>();
  private readonly redirects = new Map<string, string>();
  private readonly signedRedirects = new Map<string, { to: string; validForMs: number }>();
  private readonly pages = new Map<string, { html: string; headers: Record<string, string> }>();
  private readonly sockets = new Set<Socket>();
  readonly log: Logged[] = [];
  /** Body bytes written to sockets, over all responses. */
  bytesSent = 0;
  port = 0;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    this.port = await listenOnLoopback(this.server);
    return this;
  }

  close(): Promise<void> {
    return closeServer(this.server, this.sockets);
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Serves `size` random bytes at `path`; returns them. */
  file(path: string, size: number, behaviour: Behaviour = {}): Buffer {
    return this.serve(path, randomBytes(size), behaviour);
  }

  /** Serves these bytes at `path`; returns them. */
  serve(path: string, data: Buffer, behaviour: Behaviour = {}): Buffer {
    this.files.set(path, { data, sent: 0, version: 1, behaviour, gets: 0, counters: {} });
    return data;
  }

  /** Redirects `from` to `to?exp=...`, a link valid for `validForMs` from the moment it is handed out. */
  signedRedirect(from: string, to: string, validForMs: number): void {
    this.signedRedirects.set(from, { to, validForMs });
  }

  /** The bytes `path` serves now (changes when `changeAfter` kicks in). */
  current(path: string): Buffer {
    return this.files.get(path)!.data;
  }

  /** Serves an HTML page at `path` with these extra headers (a Set-Cookie, say). */
  page(path: string, html: string, headers: Record<string, string> = {}): void {
    this.pages.set(path, { html, headers });
  }

  redirect(from: string, to: string): void {
    this.redirects.set(from, to);
  }

  requests(path: string): Logged[] {
    return this.log.filter((l) => l.path === path);
  }

  private once(f: Served, key: string, times: number | undefined): boolean {
    const n = f.counters[key] ?? 0;
    if (n >= (times ?? Infinity)) return false;
    f.counters[key] = n + 1;
    return true;
  }

  private handle(req: IncomingMessage, res: ServerResponse, waited = false): void {
    const path = (req.url ?? '/').split('?')[0]!;
    const slow = this.files.get(path);
    if (!waited && req.method === 'GET' && slow?.behaviour.slowAnswerMs && (slow.counters['slowAnswer'] = (slow.counters['slowAnswer'] ?? 0) + 1) > (slow.behaviour.slowAnswerAfter ?? 0)) {
      setTimeout(() => this.handle(req, res, true), slow.behaviour.slowAnswerMs);
      return;
    }
    if (!waited && req.method === 'HEAD' && slow?.behaviour.slowHeadMs && (slow.counters['slowHead'] = (slow.counters['slowHead'] ?? 0) + 1) > 1) {
      setTimeout(() => this.handle(req, res, true), slow.behaviour.slowHeadMs);
      return;
    }
    const entry: Logged = {
      method: req.method ?? 'GET',
      path,
      range: req.headers.range,
      ifRange: req.headers['if-range'] as string | undefined,
      headers: req.headers,
      status: 0,
      at: Date.now(),
    };
    this.log.push(entry);
    const answer = (status: number, headers: Record<string, string | number> = {}) => {
      entry.status = status;
      res.writeHead(status, headers);
    };
    const page = this.pages.get(path);
    if (page) {
      answer(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page.html), ...page.headers });
      res.end(page.html);
      return;
    }
    const target = this.redirects.get(path);
    if (target) {
      answer(302, { location: target, 'content-length': 0 });
      res.end();
      return;
    }
    const signed = this.signedRedirects.get(path);
    if (signed) {
      answer(302, { location: `${signed.to}?exp=${Date.now() + signed.validForMs}`, 'content-length': 0 });
      res.end();
      return;
    }
    const f = this.files.get(path);
    if (!f) {
      answer(404, { 'content-length': 0 });
      res.end();
      return;
    }
    const b = f.behaviour;
    if (b.status) {
      answer(b.status, { 'content-length': 0 });
      res.end();
      return;
    }
    const exp = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('exp') ?? 0);
    if ((b.signed && !(exp >= Date.now())) || (b.expireAfterBytes !== undefined && f.sent >= b.expireAfterBytes)) {
      const body = Buffer.from(b.expiredBody ?? '');
      answer(b.expiredStatus ?? 403, { 'content-length': body.length, 'content-type': 'application/xml' });
      res.end(body);
      return;
    }
    if (b.basicAuth && req.headers.authorization !== `Basic ${Buffer.from(b.basicAuth).toString('base64')}`) {
      answer(401, { 'www-authenticate': 'Basic realm="braid-test"', 'content-length': 0 });
      res.end();
      return;
    }
    if (b.cookie && !(req.headers.cookie ?? '').split(';').some((c) => c.trim() === b.cookie)) {
      answer(403, { 'content-length': 0 });
      res.end();
      return;
    }
    if (req.method === 'HEAD' && b.claimSize !== undefined) {
      answer(200, { 'content-length': b.claimSize, 'accept-ranges': 'bytes', etag: '"huge"' });
      res.end();
      return;
    }
    if (req.method === 'HEAD' && b.tooManyHead && b.tooManyTimes && this.once(f, 'tooMany', b.tooManyTimes)) {
      answer(429, { 'retry-after': b.retryAfter ?? '1', 'content-length': 0 });
      res.end();
      return;
    }
    if (req.method === 'HEAD' && (b.refuseHead || b.headStatus)) {
      answer(b.headStatus ?? 405, { 'content-length': 0 });
      res.end();
      return;
    }
    if (req.method === 'GET') {
      f.gets++;
      if (b.changeAfter !== undefined && f.gets > b.changeAfter && f.version === 1) {
        f.data = randomBytes(f.data.length);
        f.version = 2;
      }
      if (b.burstStatus && f.gets > (b.burstAfter ?? 0) && this.once(f, 'burst', b.burstTimes)) {
        answer(b.burstStatus, { 'content-length': 0 });
        res.end();
        return;
      }
      if (b.tooManyTimes && this.once(f, 'tooMany', b.tooManyTimes)) {
        answer(429, { 'retry-after': b.retryAfter ?? '1', 'content-length': 0 });
        res.end();
        return;
      }
    }
    const etag = b.etag && f.version === 1 ? b.etag : `"v${f.version}-${f.data.length}"`;
    const lastModified = new Date(Date.UTC(2026, 0, f.version)).toUTCString();
    const headers: Record<string, string | number> = {};
    if (!b.noValidators) {
      headers['etag'] = etag;
      headers['last-modified'] = lastModified;
    }
    if (!b.ignoreRange) headers['accept-ranges'] = 'bytes';
    if (b.contentDisposition && !(b.dispositionOnGetOnly && req.method === 'HEAD')) headers['content-disposition'] = b.contentDisposition;
    if (b.contentEncoding) headers['content-encoding'] = b.contentEncoding;

    let start = 0;
    let end = f.data.length - 1;
    let status = 200;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    const rangeApplies = range && !b.ignoreRange && !b.lieAboutRanges && (!ifRange || ifRange === etag || ifRange === lastModified);
    if (rangeApplies) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), f.data.length - 1) : f.data.length - 1;
      if (start >= f.data.length || end < start) {
        answer(416, { 'content-range': `bytes */${f.data.length}`, 'content-length': 0 });
        res.end();
        return;
      }
      status = 206;
      if (b.rangeFromStart) [start, end] = [0, end - start];
      let shownStart = start;
      if (req.method === 'GET' && b.wrongRangeTimes && this.once(f, 'wrongRange', b.wrongRangeTimes)) shownStart = start + 1;
      headers['content-range'] = `bytes ${shownStart}-${end}/${f.data.length}`;
    }
    const body = f.data.subarray(start, end + 1);
    if (!b.chunked) headers['content-length'] = body.length;
    answer(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const dropAt = b.dropAfter !== undefined && this.once(f, 'drop', b.dropTimes) ? b.dropAfter : Infinity;
    const stallAt = b.stallAfter !== undefined && this.once(f, 'stall', b.stallTimes) ? b.stallAfter : Infinity;
    if (b.trickleEveryMs !== undefined && this.once(f, 'trickle', b.trickleTimes)) {
      this.trickle(res, body, b.trickleEveryMs);
      return;
    }
    this.send(res, body, { dropAt, stallAt, reset: b.dropWithReset ?? false, rate: b.rangeRate?.(start) ?? b.rate }, f);
  }

  private trickle(res: ServerResponse, body: Buffer, everyMs: number): void {
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed || sent >= body.length) {
        clearInterval(timer);
        if (!res.destroyed) res.end();
        return;
      }
      res.write(body.subarray(sent, sent + 1));
      sent++;
      this.bytesSent++;
    }, everyMs);
    res.on('close', () => clearInterval(timer));
  }

  /** Writes the body in paced chunks, honouring backpressure, and misbehaves where told. */
  private send(res: ServerResponse, body: Buffer, how: { dropAt: number; stallAt: number; reset: boolean; rate: number | undefined }, f: Served): void {
    const chunk = 16 * 1024;
    let sent = 0;
    const startedAt = Date.now();
    const next = (): void => {
      while (sent < body.length) {
        if (res.destroyed) return;
        if (sent >= how.dropAt) {
          if (how.reset) res.socket?.resetAndDestroy();
          else res.socket?.destroy();
          return;
        }
        if (sent >= how.stallAt) return; // hold the connection open, send nothing more
        const limit = Math.min(body.length, how.dropAt, how.stallAt);
        const n = Math.min(chunk, limit - sent);
        if (how.rate) {
          const due = startedAt + (sent / how.rate) * 1000;
          const wait = due - Date.now();
          if (wait > 0) {
            setTimeout(next, wait);
            return;
          }
        }
        const ok = res.write(body.subarray(sent, sent + n));
        sent += n;
        this.bytesSent += n;
        f.sent += n;
        if (!ok) {
          res.once('drain', next);
          return;
        }
      }
      if (sent >= body.length) res.end();
    };
    next();
  }
}
