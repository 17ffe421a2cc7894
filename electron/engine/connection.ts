import type { BufferPool } from './buffer-pool';
import { BraidError, StartOver, toBraidError } from './errors';
import { awaitResponse } from './got-response';
import type { HttpClient } from './http-client';
import type { LiveSegment } from './live-segment';
import type { MemoryAccount } from './memory-budget';
import type { Clock, PartFileHandle } from './ports';
import { classifyRangeAnswer } from './range-answer';
import { ReceiveWatch } from './receive-watch';
import { headOf } from './response';
import type { RetryBook } from './retry-book';
import type { SeamLedger } from './seam-check';
import { UNKNOWN_END } from './segment-scheduler';
import { SegmentSink } from './segment-sink';
import type { SourceList } from './source-list';
import type { TokenBucket } from './token-bucket';
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
  onReceived(bytes: number): void;
}

/**
 * One connection's work on one segment: requests from where the segment stands until it is complete, retrying
 * what may pass (with backoff, or as the server asks) and resetting the attempts whenever bytes arrived.
 */
export async function fetchSegment(ctx: TransferContext, segment: LiveSegment, signal: AbortSignal): Promise<void> {
  const sink = new SegmentSink(ctx.file, segment, ctx.pool, ctx.account, signal);
  ctx.sinks.add(sink);
  let failed = false;
  try {
    let attempts = 0;
    while (segment.position < segment.end) {
      const before = segment.position;
      try {
        await requestRange(ctx, segment, sink, signal);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (error instanceof StartOver) throw error;
        const e = toBraidError(error, ctx.sources.requestUrl);
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
    await sink.drain().catch((error: unknown) => {
      if (!failed) throw error;
    });
  }
}

/** One request for the rest of the segment; its answer is classified before any byte of it is written. */
async function requestRange(ctx: TransferContext, segment: LiveSegment, sink: SegmentSink, signal: AbortSignal): Promise<void> {
  // A plain controller per request, linked to the job's signal by hand. Node keeps a composite signal
  // (AbortSignal.any) alive while it has an abort listener and has not aborted, and a request that ends
  // normally leaves its listener behind: every finished request would stay in memory for good.
  const connection = new AbortController();
  const abortConnection = () => connection.abort(signal.reason);
  if (signal.aborted) abortConnection();
  else signal.addEventListener('abort', abortConnection, { once: true });
  const url = ctx.sources.requestUrl;
  const first = segment.position;
  const headers = ctx.sources.headersFor(url);
  const version = ctx.version;
  let last: number | null = null;
  if (version.ranged) {
    last = segment.end - 1;
    headers['range'] = `bytes=${first}-${last}`;
    const ifRange = ifRangeValue(version.validators, version.responseDate);
    if (ifRange) headers['if-range'] = ifRange;
  }
  const request = ctx.http.stream(url, headers, connection.signal);
  let watch: ReceiveWatch | null = null;
  try {
    const verdict = classifyRangeAnswer(headOf(await awaitResponse(request)), { first, last }, version.validators);
    if (verdict.kind === 'restart') throw new StartOver(verdict.reason);
    if (verdict.kind === 'range-ignored') throw new StartOver('the server ignored the Range header', true);
    if (verdict.kind === 'retry' || verdict.kind === 'fail') throw verdict.error;
    const bodyEnd = verdict.end ?? UNKNOWN_END;
    // Bytes of this answer meet bytes of another one here.
    ctx.seams?.add(first);
    segment.beginConnection(ctx.clock.now());
    let cutShort = false;
    watch = new ReceiveWatch(connection, ctx.clock.now());
    ctx.watches.add(watch);
    for await (const chunk of request as AsyncIterable<Buffer>) {
      const room = Math.min(segment.end, bodyEnd) - segment.position;
      let data = chunk;
      if (data.length > room) {
        // The segment was split under us (or the server overran): keep our part, leave the connection.
        data = data.subarray(0, Math.max(0, room));
        cutShort = true;
      }
      if (data.length > 0) {
        // Time spent waiting for our own disk, memory or speed limit is not the server stalling.
        watch.received(data.length, ctx.clock.now());
        const wait = Math.max(...ctx.buckets.map((b) => b.take(data.length)));
        if (wait > 0) await ctx.clock.sleep(wait, connection.signal);
        await sink.push(data);
        watch.ready(ctx.clock.now());
        segment.received(data.length);
        ctx.onReceived(data.length);
      }
      if (cutShort) break;
    }
    if (!cutShort && bodyEnd === UNKNOWN_END) {
      // A body of unknown length ends when the server closes it: that is the size.
      segment.end = segment.position;
      version.validators = { ...version.validators, size: segment.position };
      return;
    }
    if (!cutShort && segment.position < bodyEnd) {
      throw new BraidError('NETWORK_ERROR', 'the server closed the connection before the end of the body', { retryable: true });
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (connection.signal.aborted) throw connection.signal.reason;
    throw error;
  } finally {
    if (watch) ctx.watches.delete(watch);
    signal.removeEventListener('abort', abortConnection);
    if (!request.readableEnded) request.destroy();
  }
}
