import { FIRST_READ, type Connection, type ConnectionPool, type ConnectionReader } from './connection-pool';
import { BodyDelivery, ignoreBody, type BodyConsumer, type InPlaceReads } from './body-delivery';
import { ByteStash } from './byte-stash';
import { NotForFastPath, networkError } from './errors';
import { idleHint, unusualAnswer } from './fast-path-head';
import { HttpProtocolError, ResponseParser, type ResponseHead } from './http1-response-parser';
import type { RangeRequestOptions } from './range-request';

// Reading one response from its socket: the head, then the body until it ends or the consumer has all it takes.
// Opening the request is range-request.ts's business; what the consumer is handed, body-delivery.ts's.

export interface BodyEnd {
  /** Every byte of the body was read and delivered. */
  complete: boolean;
  /** Body bytes delivered to the consumer. */
  bytes: number;
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

/**
 * One response on the fast path. Body bytes go synchronously from the socket's read buffer to the consumer;
 * the connection goes back to the pool only when the body was read to its end and the answer allows
 * keep-alive, and is destroyed on any other path.
 */
export class RangeResponse implements ConnectionReader {
  head!: ResponseHead;
  /** Whether the connection had carried requests before this one. */
  readonly reusedConnection: boolean;
  /**
   * A kept-alive connection failed before any byte of the answer: the server had closed it while it sat idle,
   * so the request never reached it and may be sent again.
   */
  closedWhileIdle = false;

  private phase: Phase = 'head';
  private readonly parser: ResponseParser;
  private readonly early: ByteStash;
  private readonly delivery: BodyDelivery;
  private inPlace: InPlaceReads | null = null;
  private feeding = false;
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
    this.early = scratch.early;
    this.delivery = new BodyDelivery(
      scratch.held,
      connection.readBuffer.length,
      () => !this.stopAfterFeed && this.phase === 'body',
      (error) => this.fail(error),
    );
    this.parser = scratch.parser;
    this.parser.begin(method);
    this.parser.onBody = this.delivery.offer;
    this.reusedConnection = connection.requests > 0;
    connection.requests++;
  }

  /** Body bytes delivered to the consumer. */
  get delivered(): number {
    return this.delivery.delivered;
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
   * With `inPlace`, reads that bring nothing but body bytes the consumer takes land in the memory it lends.
   */
  receive(consumer: BodyConsumer, maxBytes: number, inPlace: InPlaceReads | null = null): Promise<BodyEnd> {
    if (this.phase !== 'waiting') {
      return Promise.reject(this.failure ?? new Error('receive() is called once, and not after stop()'));
    }
    this.inPlace = inPlace;
    this.delivery.consumer = consumer;
    this.delivery.limit = maxBytes;
    this.phase = 'body';
    return new Promise((resolve, reject) => {
      this.settleBody = { resolve, reject };
      this.takeEarlyBytes();
      if (this.phase !== 'body') return;
      const pending = this.pendingEnd;
      if (pending === 'eof') this.onEnd();
      else if (pending) this.onError(pending);
      else if (this.parser.complete || this.delivery.reachedLimit()) this.finishReading();
      else if (!this.delivery.paused) this.connection.socket.resume();
    });
  }

  /**
   * Lowers (or raises) the number of body bytes the consumer takes in all: a segment split by work stealing
   * ends earlier. Nothing past the limit is ever delivered.
   */
  setLimit(maxBytes: number): void {
    this.delivery.limit = maxBytes;
    if (this.phase === 'body' && this.delivery.reachedLimit()) {
      if (this.feeding) this.stopAfterFeed = true;
      else this.finishReading();
    } else if (this.phase === 'draining' && this.delivery.delivered >= maxBytes) {
      this.delivery.dropHeld();
      this.settleIfDelivered();
    }
  }

  /** No delivery happens after this until `resume()`: the socket stops reading, and what still comes is held. */
  pause(): void {
    this.delivery.paused = true;
    if (this.phase === 'body') this.connection.socket.pause();
  }

  /** Delivers what was held during the pause, then reads on. */
  resume(): void {
    this.delivery.paused = false;
    if (this.phase !== 'body' && this.phase !== 'draining') return;
    if (this.delivery.inConsumer) {
      // The delivery loop that called the consumer goes on by itself.
      if (this.phase === 'body') this.connection.socket.resume();
      return;
    }
    this.delivery.deliverHeld();
    if (this.phase === 'draining') this.settleIfDelivered();
    else if (this.phase === 'body' && !this.delivery.paused) this.connection.socket.resume();
  }

  /**
   * The caller needs no more of this body (its segment ended, or the head was refused). The connection is
   * kept only if the body had already been read to its end.
   */
  stop(): void {
    this.delivery.stopped = true;
    this.delivery.dropHeld();
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
    else if (this.phase === 'waiting') this.early.append(buffer, 0, length);
  }

  readTarget(): Buffer | null {
    if (this.inPlace === null || this.phase !== 'body' || this.stopAfterFeed) return null;
    // Only body bytes the consumer takes: framing, and bytes past the body or past the consumer's limit, go to
    // the connection's own buffer.
    const n = Math.min(this.delivery.openRoom, this.parser.plainBodyBytesAhead);
    return n > 0 ? this.inPlace.lend(n) : null;
  }

  readTargetReturned(): void {
    this.inPlace?.giveBack();
  }

  readLimit(): number {
    // Past a complete message the next read is the next request's: its head and first bytes, under its limit.
    if (this.parser.complete) return FIRST_READ;
    return this.options.readLimit?.() ?? Number.MAX_SAFE_INTEGER;
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
    this.early.append(buffer, used, length);
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
    const early = this.early;
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
      if (error instanceof HttpProtocolError && this.delivery.reachedLimit()) this.finishReading();
      else this.fail(error);
      return;
    }
    this.feeding = false;
    if (this.phase !== 'body') return;
    if (used < end) this.overrun = true;
    if (this.parser.complete || this.stopAfterFeed || this.delivery.reachedLimit()) this.finishReading();
  }

  /** Nothing more is read: the message is over, or the caller has all it takes. Held bytes still go out. */
  private finishReading(): void {
    if (this.socketReleased) return;
    this.messageRead = this.parser.complete;
    if (this.delivery.stopped) this.delivery.dropHeld();
    const reusable = this.messageRead && this.head.keepAlive && !this.overrun && this.pendingEnd === null;
    if (reusable && this.delivery.held.length > 0) {
      // The next answer on this connection must not share the stash that still holds this one's last bytes.
      scratchOf.get(this.connection)!.held = new ByteStash(this.connection.readBuffer.length);
    }
    this.releaseSocket(reusable);
    this.phase = 'draining';
    if (!this.delivery.paused) this.delivery.deliverHeld();
    this.settleIfDelivered();
  }

  private settleIfDelivered(): void {
    if (this.phase !== 'draining' || this.delivery.held.length > 0) return;
    this.phase = 'done';
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.delivery.end();
    const settle = this.settleBody;
    this.settleBody = null;
    settle?.resolve({ complete: this.messageRead && this.delivery.skipped === 0, bytes: this.delivery.delivered });
  }

  private failBeforeHead(error: Error): void {
    this.closedWhileIdle = this.reusedConnection && !this.anyByte && !this.options.signal?.aborted;
    this.fail(error);
  }

  private fail(error: unknown): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.failure = error;
    this.releaseSocket(false);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.delivery.end();
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
