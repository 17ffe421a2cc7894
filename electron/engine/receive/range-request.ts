import { originOf, type Connection, type ConnectionPool, type ConnectionReader } from './connection-pool';
import { ByteStash } from './byte-stash';
import { NotForFastPath, networkError } from './errors';
import { HttpProtocolError, ResponseParser, type ResponseHead } from './http1-response-parser';
import { requestHead } from './request-head';

export interface RangeRequestOptions {
  url: URL | string;
  method?: 'GET' | 'HEAD';
  /** Range, If-Range and the user's headers; Host and `Accept-Encoding: identity` are added. */
  headers?: Record<string, string>;
  /** From the request being written to its response head being complete. */
  firstByteTimeoutMs: number;
  /** Aborting destroys the socket; the pending promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Receives body bytes as a view of a buffer that is reused right after the call returns: copy them out
 * before returning. It may call `pause()`, `setLimit()` or `stop()` of its response.
 */
export type BodyConsumer = (buffer: Buffer, start: number, end: number) => void;

export interface BodyEnd {
  /** Every byte of the body was read and delivered. */
  complete: boolean;
  /** Body bytes delivered to the consumer. */
  bytes: number;
}

/**
 * Sends one request over a pooled connection and resolves with its response once the head is complete, before
 * any body byte is handed on. Rejects with NotForFastPath for an answer to hand over to got, with a Node-style
 * network error (ECONNRESET, ETIMEDOUT, ...) or an HttpProtocolError (HPE_*) otherwise. A kept-alive socket
 * that the server closed before answering is replaced once by a new one (the request is a GET: safe to repeat).
 */
export async function openRange(pool: ConnectionPool, options: RangeRequestOptions): Promise<RangeResponse> {
  const url = typeof options.url === 'string' ? new URL(options.url) : options.url;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new NotForFastPath(`the ${url.protocol} scheme`);
  if (url.username || url.password) throw new NotForFastPath('credentials in the URL');
  const method = options.method ?? 'GET';
  const request = requestHead(method, url, options.headers ?? {});
  const origin = originOf(url);
  for (let attempt = 0; ; attempt++) {
    const connection = await pool.acquire(origin, options.signal, { fresh: attempt > 0 });
    try {
      return await new RangeResponse(pool, connection, method, options).send(request);
    } catch (error) {
      if (!(error instanceof StaleConnection)) throw error;
      if (attempt > 0) throw error.cause;
    }
  }
}

/** A kept-alive connection failed before any byte of the answer: the server had closed it. */
class StaleConnection extends Error {
  constructor(override readonly cause: Error) {
    super('a kept-alive connection was closed by the server');
  }
}

/** What a connection keeps from one request to the next. */
interface ConnectionScratch {
  parser: ResponseParser;
  /** Raw bytes that arrived with or after the head, before the body was asked for. */
  early: ByteStash;
  /** Body bytes that arrived after `pause()` (TLS may still hand on records it had decrypted). */
  held: ByteStash;
}

const scratchOf = new WeakMap<Connection, ConnectionScratch>();

/**
 * head: waiting for the response head; waiting: head resolved, body not asked for yet; body: receiving;
 * draining: the socket is released but bytes held during a pause are still to be delivered; done.
 */
type Phase = 'head' | 'waiting' | 'body' | 'draining' | 'done';

const ignoreBody: BodyConsumer = () => undefined;

/**
 * One response on the fast path. Body bytes go synchronously from the socket's read buffer to the consumer;
 * the connection goes back to the pool only when the body was read to its end and the answer allows
 * keep-alive, and is destroyed on any other path.
 */
export class RangeResponse implements ConnectionReader {
  head!: ResponseHead;
  /** Body bytes delivered to the consumer. */
  delivered = 0;
  /** Whether the connection had carried requests before this one. */
  readonly reusedConnection: boolean;

  private phase: Phase = 'head';
  private readonly parser: ResponseParser;
  private readonly scratch: ConnectionScratch;
  private limit = 0;
  /** Body bytes not delivered: past the limit, or dropped by `stop()`. */
  private skipped = 0;
  private consumer: BodyConsumer = ignoreBody;
  private userPaused = false;
  /** The caller called `stop()`: nothing more is delivered, held bytes included. */
  private stopped = false;
  private feeding = false;
  /** A consumer call is under way: a resume() it makes lets the delivery loop go on, in order. */
  private inConsumer = false;
  private stopAfterFeed = false;
  private anyByte = false;
  /** Bytes followed the end of the message: the server is out of step, the connection cannot be reused. */
  private overrun = false;
  /** The whole message was read from the socket. */
  private messageRead = false;
  private socketReleased = false;
  /** The socket ended or failed while the response waited for `receive()`. */
  private pendingEnd: Error | 'eof' | null = null;
  private failure: unknown = null;
  private headTimer: NodeJS.Timeout | null = null;
  private settleHead: { resolve: (r: RangeResponse) => void; reject: (e: unknown) => void } | null = null;
  private settleBody: { resolve: (r: BodyEnd) => void; reject: (e: unknown) => void } | null = null;
  private readonly onAbort = () => this.fail(this.options.signal!.reason);
  /** No consumer call carries more than one read's worth, so a consumer knows how much room to keep. */
  private readonly maxPiece: number;

  constructor(
    private readonly pool: ConnectionPool,
    private readonly connection: Connection,
    method: 'GET' | 'HEAD',
    private readonly options: RangeRequestOptions,
  ) {
    let scratch = scratchOf.get(connection);
    if (!scratch) {
      const size = connection.readBuffer.length;
      scratch = { parser: new ResponseParser(), early: new ByteStash(size), held: new ByteStash(size) };
      scratchOf.set(connection, scratch);
    }
    scratch.early.clear();
    scratch.held.clear();
    this.scratch = scratch;
    this.parser = scratch.parser;
    this.parser.begin(method);
    this.parser.onBody = this.deliver;
    this.maxPiece = connection.readBuffer.length;
    this.reusedConnection = connection.requests > 0;
    connection.requests++;
  }

  /** @internal Writes the request; resolves once the head is complete. */
  send(request: string): Promise<RangeResponse> {
    return new Promise((resolve, reject) => {
      this.settleHead = { resolve, reject };
      const signal = this.options.signal;
      if (signal?.aborted) {
        this.fail(signal.reason);
        return;
      }
      signal?.addEventListener('abort', this.onAbort, { once: true });
      this.connection.attach(this);
      this.headTimer = setTimeout(
        () => this.fail(networkError('ETIMEDOUT', `no response from the server within ${this.options.firstByteTimeoutMs} ms`)),
        this.options.firstByteTimeoutMs,
      );
      this.connection.socket.write(request, 'latin1');
    });
  }

  /**
   * Streams the body into `consumer`, at most `maxBytes` of it. Resolves when the body ended or the limit was
   * reached (then the rest is not read and the socket is closed), rejects when the connection failed first:
   * ECONNRESET for a server that closed mid-body, the signal's reason on abort, HPE_* for broken framing.
   */
  receive(consumer: BodyConsumer, maxBytes: number): Promise<BodyEnd> {
    if (this.phase !== 'waiting') {
      return Promise.reject(this.failure ?? new Error('receive() is called once, and not after stop()'));
    }
    this.consumer = consumer;
    this.limit = maxBytes;
    this.phase = 'body';
    return new Promise((resolve, reject) => {
      this.settleBody = { resolve, reject };
      this.takeEarlyBytes();
      if (this.phase !== 'body') return;
      const pending = this.pendingEnd;
      if (pending === 'eof') this.onEnd();
      else if (pending) this.onError(pending);
      else if (this.parser.complete || this.reachedLimit()) this.finishReading();
      else if (!this.userPaused) this.connection.socket.resume();
    });
  }

  /**
   * Lowers (or raises) the number of body bytes the consumer takes in all: a segment split by work stealing
   * ends earlier. Nothing past the limit is ever delivered.
   */
  setLimit(maxBytes: number): void {
    this.limit = maxBytes;
    if (this.phase === 'body' && this.reachedLimit()) {
      if (this.feeding) this.stopAfterFeed = true;
      else this.finishReading();
    } else if (this.phase === 'draining' && this.delivered >= this.limit) {
      this.dropHeld();
      this.settleIfDelivered();
    }
  }

  /** No delivery happens after this until `resume()`: the socket stops reading, and what still comes is held. */
  pause(): void {
    this.userPaused = true;
    if (this.phase === 'body') this.connection.socket.pause();
  }

  /** Delivers what was held during the pause, then reads on. */
  resume(): void {
    this.userPaused = false;
    if (this.phase !== 'body' && this.phase !== 'draining') return;
    if (this.inConsumer) {
      // The delivery loop that called the consumer goes on by itself.
      if (this.phase === 'body') this.connection.socket.resume();
      return;
    }
    this.deliverHeld();
    if (this.phase === 'draining') this.settleIfDelivered();
    else if (this.phase === 'body' && !this.userPaused) this.connection.socket.resume();
  }

  /**
   * The caller needs no more of this body (its segment ended, or the head was refused). The connection is
   * kept only if the body had already been read to its end.
   */
  stop(): void {
    this.stopped = true;
    this.dropHeld();
    if (this.phase === 'waiting') {
      // What came with the head may complete a small body: then the connection is still good for another.
      this.phase = 'body';
      this.takeEarlyBytes();
      if (this.pendingEnd === 'eof') this.parser.finish();
    }
    if (this.phase === 'body') {
      if (this.feeding) this.stopAfterFeed = true;
      else this.finishReading();
    } else if (this.phase === 'draining') {
      this.settleIfDelivered();
    }
  }

  // ---- ConnectionReader ----------------------------------------------------------------------------------

  onData(buffer: Buffer, length: number): void {
    this.anyByte = true;
    if (this.phase === 'body') this.take(buffer, 0, length);
    else if (this.phase === 'head') this.takeHead(buffer, length);
    else if (this.phase === 'waiting') this.scratch.early.append(buffer, 0, length);
  }

  onEnd(): void {
    if (this.phase === 'head') {
      this.failBeforeHead(networkError('ECONNRESET', 'the server closed the connection without answering'));
    } else if (this.phase === 'waiting') {
      this.pendingEnd ??= 'eof';
    } else if (this.phase === 'body') {
      if (this.parser.finish()) this.finishReading();
      else this.fail(networkError('ECONNRESET', 'the server closed the connection before the end of the body'));
    }
  }

  onError(error: Error): void {
    if (this.phase === 'head') this.failBeforeHead(error);
    else if (this.phase === 'waiting') this.pendingEnd ??= error;
    else if (this.phase === 'body') this.fail(error);
  }

  // ---- inside --------------------------------------------------------------------------------------------

  private takeHead(buffer: Buffer, length: number): void {
    let used: number;
    try {
      used = this.parser.feed(buffer, 0, length);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.parser.phase === 'head') return;
    this.head = this.parser.head!;
    clearTimeout(this.headTimer!);
    // Nothing more is read until the caller has looked at the head and asked for the body; what came with
    // the head is copied aside, since the read buffer is reused by the next read.
    this.connection.socket.pause();
    this.phase = 'waiting';
    this.scratch.early.append(buffer, used, length);
    const settle = this.settleHead!;
    this.settleHead = null;
    const unusual = unusualAnswer(this.head);
    if (unusual) {
      this.stop();
      settle.reject(new NotForFastPath(unusual, this.head));
    } else {
      settle.resolve(this);
    }
  }

  /** Feeds what came with the head through the parser, as if it had just been read. */
  private takeEarlyBytes(): void {
    const early = this.scratch.early;
    if (early.length === 0) return;
    const { start, end } = early;
    early.clear();
    this.take(early.bytes, start, end);
  }

  /** Feeds body bytes through the parser to the consumer, then stops reading if the body is over for us. */
  private take(buffer: Buffer, start: number, end: number): void {
    let used: number;
    this.feeding = true;
    try {
      used = this.parser.feed(buffer, start, end);
    } catch (error) {
      this.feeding = false;
      // Once the caller has all it asked for, broken framing after it is no longer its concern.
      if (error instanceof HttpProtocolError && this.reachedLimit()) this.finishReading();
      else this.fail(error);
      return;
    }
    this.feeding = false;
    if (this.phase !== 'body') return;
    if (used < end) this.overrun = true;
    if (this.parser.complete || this.stopAfterFeed || this.reachedLimit()) this.finishReading();
  }

  private reachedLimit(): boolean {
    return this.stopped || this.delivered + this.scratch.held.length >= this.limit;
  }

  private readonly deliver = (buffer: Buffer, start: number, end: number): void => {
    let at = start;
    while (at < end) {
      // Checked again after every consumer call: it may have paused, stopped or lowered the limit.
      const open = !this.stopped && !this.stopAfterFeed && this.phase === 'body';
      const room = open ? this.limit - this.delivered - this.scratch.held.length : 0;
      if (room <= 0) break;
      const n = Math.min(end - at, room);
      if (this.userPaused || this.scratch.held.length > 0) {
        // The rest waits, in order, for resume().
        this.scratch.held.append(buffer, at, at + n);
        at += n;
        continue;
      }
      const piece = Math.min(n, this.maxPiece);
      this.delivered += piece;
      this.hand(buffer, at, at + piece);
      at += piece;
    }
    this.skipped += end - at;
  };

  /** One consumer call; a consumer that throws fails the response (and its socket) with what it threw. */
  private hand(buffer: Buffer, start: number, end: number): void {
    this.inConsumer = true;
    try {
      this.consumer(buffer, start, end);
    } catch (error) {
      this.fail(error);
    } finally {
      this.inConsumer = false;
    }
  }

  /** Hands on the bytes that came during a pause, piece by piece, until paused again. */
  private deliverHeld(): void {
    const held = this.scratch.held;
    while (held.length > 0 && !this.userPaused && !this.stopped && this.phase !== 'done') {
      const room = this.limit - this.delivered;
      if (room <= 0) {
        this.dropHeld();
        return;
      }
      const piece = Math.min(held.length, room, this.maxPiece);
      const at = held.start;
      held.consume(piece);
      this.delivered += piece;
      this.hand(held.bytes, at, at + piece);
    }
  }

  private dropHeld(): void {
    this.skipped += this.scratch.held.length;
    this.scratch.held.clear();
  }

  /** Nothing more is read: the message is over, or the caller has all it takes. Held bytes still go out. */
  private finishReading(): void {
    if (this.socketReleased) return;
    this.messageRead = this.parser.complete;
    if (this.stopped) this.dropHeld();
    this.releaseSocket(this.messageRead && this.head.keepAlive && !this.overrun && this.pendingEnd === null);
    this.phase = 'draining';
    if (!this.userPaused) this.deliverHeld();
    this.settleIfDelivered();
  }

  private settleIfDelivered(): void {
    if (this.phase !== 'draining' || this.scratch.held.length > 0) return;
    this.phase = 'done';
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.consumer = ignoreBody;
    const settle = this.settleBody;
    this.settleBody = null;
    settle?.resolve({ complete: this.messageRead && this.skipped === 0, bytes: this.delivered });
  }

  private failBeforeHead(error: Error): void {
    if (this.reusedConnection && !this.anyByte && !this.options.signal?.aborted) this.fail(new StaleConnection(error));
    else this.fail(error);
  }

  private fail(error: unknown): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.failure = error;
    this.releaseSocket(false);
    this.scratch.held.clear();
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.consumer = ignoreBody;
    const settle = this.settleHead ?? this.settleBody;
    this.settleHead = null;
    this.settleBody = null;
    settle?.reject(error);
  }

  private releaseSocket(reusable: boolean): void {
    if (this.socketReleased) return;
    this.socketReleased = true;
    if (this.headTimer) clearTimeout(this.headTimer);
    this.parser.onBody = ignoreBody;
    this.connection.detach();
    // An idle connection keeps reading, so a server closing it is noticed at once.
    if (reusable) this.connection.socket.resume();
    this.pool.release(this.connection, reusable, { idleTimeoutMs: reusable ? idleHint(this.head) : undefined });
  }
}

/**
 * How long the server said it keeps an idle connection (`Keep-Alive: timeout=N`), less a second so we never
 * send a request just as it closes; undefined when it did not say.
 */
function idleHint(head: ResponseHead): number | undefined {
  const m = /(?:^|[,;\s])timeout=(\d+)/i.exec(head.headers['keep-alive'] ?? '');
  return m ? Number(m[1]) * 1000 - 1000 : undefined;
}

/** Why an answer is not for the fast path, or null when it is. */
function unusualAnswer(head: ResponseHead): string | null {
  const status = head.statusCode;
  if (status < 200) return `a ${status} answer`;
  if (status >= 300 && status < 400) return `a ${status} redirect`;
  const te = head.headers['transfer-encoding'];
  if (te !== undefined && te.trim().toLowerCase() !== 'chunked') return `Transfer-Encoding: ${te}`;
  const ce = head.headers['content-encoding'];
  if (ce !== undefined && ce.trim() !== '' && ce.trim().toLowerCase() !== 'identity') return `Content-Encoding: ${ce}`;
  return null;
}
