import type { BufferPool } from './buffer-pool';
import { BraidError, StartOver, toBraidError } from './errors';
import { awaitResponse } from './got-response';
import { USER_AGENT, type HttpClient } from './http-client';
import { bodyTellsRefusal, isLinkRefusal, LinkRefused, linkFailure, REFUSAL_BODY_LIMIT } from './link-expiry';
import type { FreshLinks } from './link-refresh';
import { isRefusal, Refused, StepAside, type HostSlot } from './host-limits';
import type { LiveSegment } from './live-segment';
import type { MemoryAccount } from './memory-budget';
import type { Clock, PartFileHandle } from './ports';
import { classifyRangeAnswer } from './range-answer';
import { ReceiveWatch } from './receive-watch';
import type { InPlaceReads } from './receive/body-delivery';
import { NotForFastPath } from './receive/errors';
import type { ConnectionPool } from './receive/connection-pool';
import { openRange, type RangeResponse } from './receive/range-request';
import { header, headOf, type ResponseHead } from './response';
import type { RetryBook } from './retry-book';
import type { SeamLedger } from './seam-check';
import { UNKNOWN_END } from './segment-scheduler';
import { SegmentSink } from './segment-sink';
import type { SourceList } from './source-list';
import { pacedRead, type TokenBucket } from './token-bucket';
import { ifRangeValue, type Validators } from './validators';

/** What one download's connections share: the file, its version, its memory, limits and bookkeeping. */
export interface TransferContext {
  http: HttpClient;
  file: PartFileHandle;
  pool: BufferPool;
  account: MemoryAccount;
  sources: SourceList;
  /** The version of the file whose bytes are on disk; an unknown size is filled in when the body ends. */
  version: { validators: Validators; responseDate: string | null; ranged: boolean };
  /** Seams to verify, when the server gives no validator for If-Range; null otherwise. */
  seams: SeamLedger | null;
  /** The download's own speed limit, then the global one. */
  buckets: readonly TokenBucket[];
  /** Connections receiving a body, for the stall and trickle watch. */
  watches: Set<ReceiveWatch>;
  /** Write buffers of the running connections, flushed by checkpoints. */
  sinks: Set<SegmentSink>;
  retries: RetryBook;
  clock: Clock;
  firstByteTimeoutMs: number;
  /** Braid's own receive path: pooled sockets reading into reused buffers. Null: every request goes through got. */
  receivePool: ConnectionPool | null;
  /** Whether this download still uses the receive path (an answer it does not handle turns it off). */
  fastPath: { enabled: boolean };
  /** The most one socket read brings: the sink keeps room for that much ahead. */
  maxRead: number;
  /** Fresh links from the download's own URL when the one it redirected to expires. */
  links: FreshLinks;
  downloadId: number;
  /** An answer whose body is about to be written (the first one may name the file). */
  onBody?(head: ResponseHead): void;
  /** The proxy for a request to a URL (null: direct). */
  proxyFor(url: string): Promise<string | null>;
  /** `now`: the clock's reading when they arrived. */
  onReceived(bytes: number, now: number): void;
}

/**
 * One connection's work on one segment: requests from where the segment stands until it is complete, retrying
 * what may pass (with backoff, or as the server asks) and resetting the attempts whenever bytes arrived.
 */
export async function fetchSegment(ctx: TransferContext, segment: LiveSegment, signal: AbortSignal, slot?: HostSlot): Promise<void> {
  const sink = new SegmentSink(ctx.file, segment, ctx.pool, ctx.account, signal, ctx.maxRead);
  ctx.sinks.add(sink);
  let failed = false;
  try {
    let attempts = 0;
    while (segment.position < segment.end) {
      const before = segment.position;
      try {
        await requestRange(ctx, segment, sink, signal, slot);
        // An answer that ended as it should yet brought nothing of what is missing: asked again only after a wait.
        if (segment.position === before && segment.position < segment.end) {
          throw new BraidError('BAD_RESPONSE', 'the server answered with none of the bytes asked for', { retryable: true });
        }
      } catch (thrown) {
        if (signal.aborted) throw signal.reason;
        if (thrown instanceof StartOver) throw thrown;
        if (thrown instanceof LinkRefused) {
          // No redirect to go back through: the link itself expired, and only the user can give a new one.
          if (!ctx.links.canRefresh(thrown.url)) throw linkFailure(thrown, ctx.downloadId);
          if (segment.position > before) attempts = 0;
          attempts++;
          // Counted (a fresh link refused again and again gives up) but not waited for at first: the link is
          // expired, not the server busy.
          if (attempts > 1) await ctx.retries.wait(thrown, attempts - 1, signal);
          else ctx.retries.note(thrown);
          await ctx.links.refresh(thrown.url, signal);
          continue;
        }
        const error = thrown instanceof Refused ? thrown.cause : thrown;
        if (thrown instanceof Refused && slot) {
          // Refused while other connections to the server work: it limits connections, and this one steps aside.
          if (slot.refused(thrown.how)) throw new StepAside(null);
        }
        // The whole file for a range from a server that was not turning connections away: it cannot resume.
        if (error instanceof StartOver) throw error;
        const e = toBraidError(error, ctx.sources.requestUrl);
        if (thrown instanceof Refused && slot) {
          // Refused within the limit: the wait is spent without the segment, which connections still answered take on.
          if (e.retryable) throw new StepAside(e);
        }
        if (!e.retryable) throw e;
        if (segment.position > before && e.countsAsProgress) attempts = 0;
        if (!ctx.version.ranged && segment.position > segment.start) {
          // Without ranges a broken body cannot be continued, only fetched again from the start.
          throw new StartOver(`${e.message}, and the server cannot resume`);
        }
        attempts++;
        await ctx.retries.wait(e, attempts, signal);
      }
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    ctx.sinks.delete(sink);
    await sink.finish().catch((error: unknown) => {
      if (!failed) throw error;
    });
  }
}

/** One request for the rest of the segment; its answer is classified before any byte of it is written. */
async function requestRange(ctx: TransferContext, segment: LiveSegment, sink: SegmentSink, signal: AbortSignal, slot: HostSlot | undefined): Promise<void> {
  // A plain controller per request, linked to the job's signal by hand. Node keeps a composite signal
  // (AbortSignal.any) alive while it has an abort listener and has not aborted, and a request that ends
  // normally leaves its listener behind: every finished request would stay in memory for good.
  const connection = new AbortController();
  const abortConnection = () => connection.abort(signal.reason);
  if (signal.aborted) abortConnection();
  else signal.addEventListener('abort', abortConnection, { once: true });
  const request = new SegmentRequest(ctx, segment, sink, connection, slot);
  slot?.requesting();
  try {
    if (ctx.receivePool && ctx.fastPath.enabled) {
      try {
        await request.overReceivePath(ctx.receivePool);
        return;
      } catch (error) {
        // Anything the receive path does not expect goes to got from now on, rather than being guessed at.
        if (error instanceof NotForFastPath) ctx.fastPath.enabled = false;
        else {
          if (isProtocolError(error)) ctx.fastPath.enabled = false;
          throw error;
        }
      }
    }
    await request.overGot();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (connection.signal.aborted) throw connection.signal.reason;
    if (!request.answered && isRefusal(error, request.refusal)) throw new Refused(error, request.refusal ? 'answer' : 'reset');
    throw error;
  } finally {
    request.done();
    signal.removeEventListener('abort', abortConnection);
  }
}

function isProtocolError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('HPE_');
}

/** One request for what is left of a segment, through either client: what it asks, and what it does with bytes. */
class SegmentRequest {
  private readonly first: number;
  private readonly last: number | null;
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private watch: ReceiveWatch | null = null;
  /** Where the answer's body ends (exclusive); UNKNOWN_END until the server closes. */
  private bodyEnd = UNKNOWN_END;
  /** The segment was split under us (or the server overran): our part is done, the rest is left unread. */
  private cutShort = false;
  /** The server's answer was accepted: bytes of it are being received. */
  answered = false;
  /** The status of an answer that refused the request, and whether it said when to come back. */
  refusal: { status: number; retryAfter: boolean } | null = null;

  constructor(
    private readonly ctx: TransferContext,
    private readonly segment: LiveSegment,
    private readonly sink: SegmentSink,
    private readonly connection: AbortController,
    private readonly slot: HostSlot | undefined,
  ) {
    this.url = ctx.sources.requestUrl;
    this.first = segment.position;
    this.headers = ctx.sources.headersFor(this.url);
    const version = ctx.version;
    this.last = version.ranged ? segment.end - 1 : null;
    if (this.last !== null) {
      this.headers['range'] = `bytes=${this.first}-${this.last}`;
      const ifRange = ifRangeValue(version.validators, version.responseDate);
      if (ifRange) this.headers['if-range'] = ifRange;
    }
  }

  async overReceivePath(pool: ConnectionPool): Promise<void> {
    const { ctx, segment } = this;
    const headers = { 'user-agent': USER_AGENT, ...this.headers };
    const proxy = await ctx.proxyFor(this.url);
    const readLimit = () => pacedRead(ctx.buckets, ctx.maxRead);
    const response = await openRange(pool, { url: this.url, headers, firstByteTimeoutMs: ctx.firstByteTimeoutMs, signal: this.connection.signal, proxy, readLimit });
    try {
      // The first read is copied the moment it arrives: memory for it must be there before reading starts,
      // and waiting for Braid's own memory is not the server stalling (the watch starts after it).
      const head = headOf(response.head);
      const body = bodyTellsRefusal(head.status) ? await startOfBody(response) : null;
      await this.sink.room();
      if (this.connection.signal.aborted) throw this.connection.signal.reason;
      this.accept(head, body);
      let holds = 0;
      const hold = () => {
        if (holds++ === 0) response.pause();
      };
      const release = () => {
        if (--holds > 0) return;
        this.watch!.ready(ctx.clock.now());
        if (!this.connection.signal.aborted) response.resume();
      };
      const limit = this.bodyEnd === UNKNOWN_END ? Number.MAX_SAFE_INTEGER : this.bodyEnd - this.first;
      const end = await response.receive((buffer, start, stop) => {
        const n = this.room(stop - start);
        if (n < stop - start) response.setLimit(segment.position - this.first + n);
        if (n <= 0) return;
        const now = ctx.clock.now();
        this.watch!.received(n, now);
        this.sink.copy(buffer, start, start + n);
        this.counted(n, now);
        if (!this.sink.hasRoom) {
          hold();
          this.sink.whenRoom(release);
        }
        const pace = this.pace(n);
        if (pace > 0) {
          hold();
          ctx.clock.sleep(pace, this.connection.signal).then(release, release);
        }
        if (holds === 0) this.watch!.ready(now);
      }, limit, this.inPlaceReads());
      this.ended(end.complete);
    } finally {
      response.stop();
    }
  }

  /**
   * The sink's memory for reads in place, asked for read by read: never past the segment's end as it stands (work
   * stealing moves it), and under a speed limit no more than `pacedRead` allows, so the pause pacing makes after a
   * read holds little back. Without a limit a read takes all that is lent: fewer, larger reads.
   */
  private inPlaceReads(): InPlaceReads {
    const { ctx, sink } = this;
    return {
      lend: (maxBytes) => sink.lend(Math.min(maxBytes, this.bytesLeft, pacedRead(ctx.buckets, ctx.maxRead))),
      giveBack: () => sink.giveBack(),
    };
  }

  async overGot(): Promise<void> {
    const { ctx } = this;
    const request = await ctx.http.stream(this.url, this.headers, this.connection.signal, 'GET', await ctx.proxyFor(this.url));
    try {
      const head = headOf(await awaitResponse(request));
      this.accept(head, bodyTellsRefusal(head.status) ? await startOfGotBody(request) : null);
      let complete = true;
      for await (const chunk of request as AsyncIterable<Buffer>) {
        const n = this.room(chunk.length);
        if (n > 0) {
          // Time spent waiting for our own disk, memory or speed limit is not the server stalling.
          const arrived = ctx.clock.now();
          this.watch!.received(n, arrived);
          const wait = this.pace(n);
          if (wait > 0) await ctx.clock.sleep(wait, this.connection.signal);
          await this.sink.push(n === chunk.length ? chunk : chunk.subarray(0, n));
          this.watch!.ready(ctx.clock.now());
          this.counted(n, arrived);
        }
        if (this.cutShort) {
          complete = false;
          break;
        }
      }
      this.ended(complete);
    } finally {
      if (!request.readableEnded) request.destroy();
    }
  }

  /** Judges the answer before any byte of it is written; throws unless its body is to be written. */
  private accept(head: ResponseHead, body: string | null = null): void {
    const { ctx, segment } = this;
    if (isLinkRefusal(head.status, body)) throw new LinkRefused(this.url, head.status, head.statusMessage);
    const verdict = classifyRangeAnswer(head, { first: this.first, last: this.last }, ctx.version.validators);
    if (verdict.kind === 'restart') throw new StartOver(verdict.reason);
    if (verdict.kind === 'range-ignored') {
      const ignored = new StartOver('the server ignored the Range header', true);
      // The whole file for a range while other connections to the server receive theirs: the server turns away one
      // connection too many this way (a refusal, and the limit steps down), not a server without ranges.
      throw verdict.whole && ctx.version.ranged && this.slot?.othersReceiving() ? new Refused(ignored, 'answer') : ignored;
    }
    if (verdict.kind === 'retry' || verdict.kind === 'fail') {
      this.refusal = { status: head.status, retryAfter: header(head, 'retry-after') !== null };
      throw verdict.error;
    }
    this.bodyEnd = verdict.end ?? UNKNOWN_END;
    ctx.onBody?.(head);
    this.answered = true;
    this.slot?.receiving();
    // Bytes of this answer meet bytes of another one here.
    ctx.seams?.add(this.first);
    segment.beginConnection(ctx.clock.now());
    this.watch = new ReceiveWatch(this.connection, ctx.clock.now());
    ctx.watches.add(this.watch);
  }

  /** Bytes this answer may still bring to the segment: to its end as it stands now, or the body's if sooner. */
  private get bytesLeft(): number {
    return Math.max(0, Math.min(this.segment.end, this.bodyEnd) - this.segment.position);
  }

  /** How many of `n` arriving bytes still belong to this segment: it may have been split since the last read. */
  private room(n: number): number {
    const room = this.bytesLeft;
    if (n > room) this.cutShort = true;
    return Math.min(n, room);
  }

  private counted(n: number, now: number): void {
    this.segment.received(n);
    this.ctx.onReceived(n, now);
  }

  /** Milliseconds to wait before reading on, for the download's and the global speed limits. */
  private pace(n: number): number {
    let wait = 0;
    for (const bucket of this.ctx.buckets) wait = Math.max(wait, bucket.take(n));
    return wait;
  }

  private ended(complete: boolean): void {
    const { segment } = this;
    if (this.cutShort) return;
    if (complete && (this.bodyEnd === UNKNOWN_END || segment.end === UNKNOWN_END)) {
      // A body of unknown length ends when the server closes it, and the whole file's answer to a download of
      // unknown size has the file's length: either is the size.
      segment.end = segment.position;
      this.ctx.version.validators = { ...this.ctx.version.validators, size: segment.position };
      return;
    }
    if (segment.position < Math.min(segment.end, this.bodyEnd)) {
      throw new BraidError('NETWORK_ERROR', 'the server closed the connection before the end of the body', { retryable: true });
    }
  }

  done(): void {
    if (this.watch) this.ctx.watches.delete(this.watch);
    this.slot?.ended();
  }
}

/** The first few KiB of an error answer's body on the receive path, to tell an expired signature. */
async function startOfBody(response: RangeResponse): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  await response
    .receive((buffer, start, stop) => {
      const k = Math.min(stop - start, REFUSAL_BODY_LIMIT - n);
      if (k <= 0) return;
      parts.push(Buffer.from(buffer.subarray(start, start + k)));
      n += k;
    }, REFUSAL_BODY_LIMIT)
    .catch(() => undefined);
  return Buffer.concat(parts).toString('utf8');
}

/** The same through got. */
async function startOfGotBody(request: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of request) {
      parts.push(chunk.subarray(0, REFUSAL_BODY_LIMIT - n));
      n += chunk.length;
      if (n >= REFUSAL_BODY_LIMIT) break;
    }
  } catch {
    /* what came is enough to judge by */
  }
  return Buffer.concat(parts).toString('utf8');
}
