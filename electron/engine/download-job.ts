import { lstatSync } from 'node:fs';
import { link, lstat, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DownloadError, DownloadRecord, DownloadSnapshot, ErrorCode, RetryEntry, StopReason } from '../../shared/types';
import { formatBytes, formatDuration } from '../../shared/format';
import { ReceiveWatch } from './receive-watch';
import type { BufferPool } from './buffer-pool';
import { hashFile } from './checksum';
import { checkRangeAnswer, parseContentRange, parseUnsatisfiedRange } from './content-range';
import { BraidError, RangeIgnored, RestartRequired, toBraidError, TrickleError } from './errors';
import { nameFromUrl, sanitizeFilename, uniqueName } from './filename';
import type { HttpClient } from './http-client';
import { LiveSegment } from './live-segment';
import type { MemoryAccount, MemoryBudget } from './memory-budget';
import type { DownloadRepository, FileSystemPort, PartFileHandle } from './ports';
import { probe, type ProbeResult } from './probe';
import { awaitResponse, contentLength, header, statusError } from './response';
import { backoffDelay } from './retry-delay';
import { chooseSplit, compactSegments, planSegments } from './segment-plan';
import { SegmentSink } from './segment-sink';
import type { Timing } from './settings';
import { sleep } from './sleep';
import { TokenBucket } from './token-bucket';
import { ifRangeValue, isWeakEtag, versionChange, type Validators } from './validators';

/** Stands for "until the server closes" when the size is unknown. */
const UNKNOWN_END = Number.MAX_SAFE_INTEGER;
/** Fresh starts (file changed, range ignored) allowed in one run before giving up. */
const MAX_RESTARTS = 3;
/** Room left on the disk beyond the file itself. */
const SPACE_MARGIN = 16 * 1024 * 1024;
/** Retries remembered per download for the detail panel. */
const RETRY_LOG_LENGTH = 20;

export type JobOutcome =
  | { kind: 'completed'; name: string; path: string }
  | { kind: 'failed'; error: DownloadError }
  | { kind: 'stopped'; reason: StopReason };

export interface JobContext {
  repo: DownloadRepository;
  fs: FileSystemPort;
  http: HttpClient;
  budget: MemoryBudget;
  pool: BufferPool;
  globalBucket: TokenBucket;
  timing: Timing;
  segments: number;
  perDownloadMemory: number;
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/**
 * One download from start to finish: probe, plan segments, run connections that steal work from the slowest,
 * checkpoint (sync, then commit) every second, verify, and move the `.part` file to its final name.
 */
export class DownloadJob {
  readonly id: number;
  readonly account: MemoryAccount;
  private record: DownloadRecord;
  private segments: LiveSegment[] = [];
  private file: PartFileHandle | null = null;
  private readonly stopper = new AbortController();
  private stopReason: StopReason | null = null;
  private readonly bucket: TokenBucket;
  private readonly sinks = new Set<SegmentSink>();
  /** Connections receiving a body, for the stall watchdog. */
  private readonly receiving = new Set<ReceiveWatch>();
  private validators: Validators = { etag: null, lastModified: null, size: null };
  private responseDate: string | null = null;
  private requestUrl: string;
  /** The URL bytes come from now: the download's own, or a mirror once the ones before it failed. */
  private source: string;
  private readonly failedSources = new Set<string>();
  private ranged = false;
  private restarts = 0;
  private retries: number;
  private retryLog: RetryEntry[];
  private checkpointRunning: Promise<void> | null = null;
  private committedBytes = -1;
  private lastError: DownloadError | null = null;
  connections = 0;
  /** Bytes received in this run, for speed. */
  received = 0;
  private speedSample = { at: 0, received: 0, speed: 0 };

  constructor(
    record: DownloadRecord,
    private readonly ctx: JobContext,
  ) {
    this.id = record.id;
    this.record = record;
    this.source = record.sourceUrl && this.sources.includes(record.sourceUrl) ? record.sourceUrl : record.url;
    this.requestUrl = this.source;
    this.retries = record.retries;
    this.retryLog = [...record.retryLog];
    this.account = ctx.budget.account(ctx.perDownloadMemory);
    this.bucket = new TokenBucket(record.options.speedLimit ?? 0);
  }

  get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  /** The user's extra headers, for requests to the origin they were given for and no other. */
  private get headers(): Record<string, string> {
    if (!sameOrigin(this.requestUrl, this.record.url)) return {};
    return { ...(this.record.options.headers ?? {}) };
  }

  /** The download's own URL, then its mirrors, each once. */
  private get sources(): string[] {
    return [...new Set([this.record.url, ...this.record.mirrors])];
  }

  private get partPath(): string {
    return join(this.record.folder, `${this.record.name}.part`);
  }

  /** Stops the transfer; `run()` then checkpoints and resolves with a `stopped` outcome. */
  stop(reason: StopReason): void {
    if (this.stopped) return;
    this.stopReason = reason;
    this.stopper.abort(new BraidError('NETWORK_ERROR', `stopped (${reason})`));
  }

  setSpeedLimit(bytesPerSecond: number): void {
    this.bucket.setRate(bytesPerSecond);
  }

  async run(): Promise<JobOutcome> {
    try {
      for (;;) {
        try {
          return await this.fromSource();
        } catch (error) {
          if (this.stopped || !this.nextSource(error)) throw error;
          await this.file?.close().catch(() => undefined);
          this.file = null;
        }
      }
    } catch (error) {
      if (this.stopped) {
        const reason = this.stopReason ?? 'user';
        this.ctx.repo.update(this.id, { status: reason === 'user' ? 'paused' : 'queued', stopReason: reason, retries: this.retries, retryLog: this.retryLog });
        return { kind: 'stopped', reason };
      }
      const e = toBraidError(error, this.requestUrl).toJSON();
      const others = [...this.failedSources].filter((u) => u !== this.source).length;
      if (others > 0) e.message = `${e.message}; its other ${others === 1 ? 'URL' : `${others} URLs`} failed before`;
      this.ctx.repo.update(this.id, { status: 'failed', error: e, retries: this.retries, retryLog: this.retryLog, stopReason: null });
      return { kind: 'failed', error: e };
    } finally {
      await this.file?.close().catch(() => undefined);
      this.file = null;
    }
  }

  /** The whole download from the current source: resume or start, transfer, verify, place. */
  private async fromSource(): Promise<JobOutcome> {
    const reconciled = await this.prepare();
    if (reconciled) return reconciled;
    for (;;) {
      try {
        await this.transfer();
        break;
      } catch (error) {
        if (this.stopped) throw error;
        if (!(error instanceof RestartRequired) && !(error instanceof RangeIgnored)) throw error;
        if (++this.restarts > MAX_RESTARTS) {
          throw new BraidError('CANNOT_RESUME', `${error.message}; gave up after ${MAX_RESTARTS} fresh starts`);
        }
        if (error instanceof RangeIgnored) await this.startOver(null, false);
        else await this.startOver(await this.probe(), true);
      }
    }
    return await this.complete();
  }

  /**
   * After the current source failed for good, moves to the next one not yet failed; the download then starts
   * over from it (bytes of two servers are never mixed). False when the failure is not the server's or no
   * source is left.
   */
  private nextSource(error: unknown): boolean {
    const e = toBraidError(error, this.requestUrl);
    if (!SOURCE_FAILURES.has(e.code)) return false;
    this.failedSources.add(this.source);
    const next = this.sources.find((s) => !this.failedSources.has(s));
    if (!next) return false;
    this.noteRetry(new BraidError(e.code, `${e.message}; trying ${displayUrl(next)}`));
    this.source = next;
    this.requestUrl = next;
    this.restarts = 0;
    return true;
  }

  // ---- preparing: resume what is on disk, or start fresh -------------------------------------------------

  private probe(): Promise<ProbeResult> {
    return this.withRetries(() => probe(this.ctx.http, this.source, this.headers, this.stopper.signal), this.stopper.signal);
  }

  private adopt(p: ProbeResult): void {
    this.requestUrl = p.finalUrl;
    this.responseDate = p.date;
  }

  /** Resolves with an outcome only when the download turned out to be finished already. */
  private async prepare(): Promise<JobOutcome | null> {
    const stored = this.ctx.repo.segments(this.id);
    const p = await this.probe();
    this.adopt(p);
    const rec = this.record;
    if (rec.name && stored.length > 0) {
      let handle: PartFileHandle | null = null;
      try {
        handle = await this.ctx.fs.openExisting(this.partPath);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
        const finished = await this.reconcileCompleted(stored);
        if (finished) return finished;
      }
      if (handle) {
        this.file = handle;
        const change = versionChange({ etag: rec.etag, lastModified: rec.lastModified, size: rec.size }, p);
        const sameSource = (rec.sourceUrl ?? rec.url) === this.source;
        if (sameSource && !change && rec.acceptRanges && p.acceptRanges && rec.size !== null) {
          await this.checkSpace(rec.size, stored.reduce((n, s) => n + s.done, 0));
          this.validators = { etag: rec.etag, lastModified: rec.lastModified, size: rec.size };
          this.ranged = true;
          this.segments = stored.map((s) => new LiveSegment(s.start, s.end, s.done));
          return null;
        }
        await this.startOver(p, true);
        return null;
      }
    }
    await this.freshStart(p);
    return null;
  }

  /** The rename to the final name happened but `completed` was never committed: finish the bookkeeping. */
  private async reconcileCompleted(stored: { start: number; end: number; done: number }[]): Promise<JobOutcome | null> {
    const rec = this.record;
    const allDone = stored.every((s) => s.done >= s.end - s.start);
    if (!allDone || rec.size === null || !rec.name) return null;
    const path = join(rec.folder, rec.name);
    const size = await stat(path).then((s) => s.size, () => -1);
    if (size !== rec.size) return null;
    this.ctx.repo.update(this.id, { status: 'completed', completedAt: Date.now(), bytesDone: size, error: null, stopReason: null });
    return { kind: 'completed', name: rec.name, path };
  }

  private async checkSpace(size: number | null, alreadyOnDisk: number): Promise<void> {
    if (size === null) return;
    const free = await this.ctx.fs.freeSpace(this.record.folder);
    const needed = size - alreadyOnDisk + SPACE_MARGIN;
    if (free < needed) {
      throw new BraidError(
        'NOT_ENOUGH_DISK_SPACE',
        `not enough disk space in ${this.record.folder}: the file needs ${formatBytes(size)}, ${formatBytes(free)} is free`,
      );
    }
  }

  private nameTaken = (candidate: string): boolean =>
    occupied(join(this.record.folder, candidate)) ||
    occupied(join(this.record.folder, `${candidate}.part`)) ||
    this.ctx.repo.isNameReserved(this.record.folder, candidate, this.id);

  private plan(size: number | null, ranged: boolean): LiveSegment[] {
    if (!ranged || size === null) return [new LiveSegment(0, size ?? UNKNOWN_END, 0)];
    const count = Math.max(1, Math.min(32, this.record.options.segments ?? this.ctx.segments));
    return planSegments(size, count).map((r) => new LiveSegment(r.start, r.end, 0));
  }

  private commitPlan(p: ProbeResult | null, name: string): void {
    const size = p ? p.size : this.validators.size;
    const segments = this.segments.map((s) => ({ start: s.start, end: s.end, done: 0 }));
    const patch = {
      name,
      size,
      acceptRanges: this.ranged,
      bytesDone: 0,
      sourceUrl: this.source === this.record.url ? null : this.source,
      ...(p ? { etag: p.etag, lastModified: p.lastModified, finalUrl: p.finalUrl } : {}),
    };
    this.ctx.repo.saveProgress(this.id, segments, patch);
    this.record = { ...this.record, ...patch };
    this.committedBytes = 0;
  }

  private async freshStart(p: ProbeResult): Promise<void> {
    await mkdir(this.record.folder, { recursive: true });
    await this.checkSpace(p.size, 0);
    const wanted = this.record.requestedName ? sanitizeFilename(this.record.requestedName) : (p.filename ?? nameFromUrl(p.finalUrl));
    await this.dropOwnLeftover();
    let name = '';
    for (let attempt = 0; !this.file; attempt++) {
      name = uniqueName(wanted, this.nameTaken);
      // The name is recorded before the file exists, so a crash between the two leaves a `.part` that the
      // next start knows for its own (and removing the download removes it).
      this.ctx.repo.update(this.id, { name });
      this.record = { ...this.record, name };
      try {
        this.file = await this.ctx.fs.createExclusive(join(this.record.folder, `${name}.part`));
      } catch (error) {
        // Something appeared at that path since we looked (or it is a planted link): take the next name.
        if (errorCode(error) !== 'EEXIST' || attempt > 100) throw error;
      }
    }
    if (p.size !== null) await this.file.truncate(p.size);
    this.validators = { etag: p.etag, lastModified: p.lastModified, size: p.size };
    this.ranged = p.acceptRanges && p.size !== null && p.size > 0;
    this.segments = this.plan(p.size, this.ranged);
    this.commitPlan(p, name);
  }

  /**
   * A download with a recorded name but no committed plan crashed between creating its `.part` and planning
   * it: that file holds nothing yet and is this download's, so it goes (a link there is only unlinked).
   */
  private async dropOwnLeftover(): Promise<void> {
    if (!this.record.name || this.ctx.repo.segments(this.id).length > 0) return;
    const found = await lstat(this.partPath).catch(() => null);
    if (found && (found.isFile() || found.isSymbolicLink())) await unlink(this.partPath);
  }

  /**
   * Throws away the bytes on disk: the new plan is committed before the file is touched, so a crash in
   * between never leaves the store claiming bytes of the old version.
   */
  private async startOver(p: ProbeResult | null, ranged: boolean): Promise<void> {
    if (p) {
      this.adopt(p);
      this.validators = { etag: p.etag, lastModified: p.lastModified, size: p.size };
      await this.checkSpace(p.size, 0);
    }
    const size = this.validators.size;
    this.ranged = ranged && (p ? p.acceptRanges : true) && size !== null && size > 0;
    this.segments = this.plan(size, this.ranged);
    this.commitPlan(p, this.record.name!);
    await this.file!.truncate(0);
    if (size !== null) await this.file!.truncate(size);
  }

  // ---- transferring --------------------------------------------------------------------------------------

  private async transfer(): Promise<void> {
    const failure = new AbortController();
    const signal = AbortSignal.any([this.stopper.signal, failure.signal]);
    let firstError: unknown = null;
    const fail = (error: unknown) => {
      if (firstError === null) {
        firstError = error;
        failure.abort(error);
      }
    };
    const count = this.ranged ? Math.max(1, Math.min(32, this.record.options.segments ?? this.ctx.segments)) : 1;
    const timer = setInterval(() => {
      if (!this.checkpointRunning) this.checkpoint().catch(fail);
    }, this.ctx.timing.checkpointMs);
    const { stallTimeoutMs, minBytesPerSecond } = this.ctx.timing;
    const watchdog = setInterval(() => this.abortStalled(stallTimeoutMs, minBytesPerSecond), Math.max(10, Math.min(1000, stallTimeoutMs / 4)));
    try {
      await Promise.all(Array.from({ length: count }, () => this.worker(signal).catch(fail)));
    } finally {
      clearInterval(timer);
      clearInterval(watchdog);
      await this.checkpoint().catch(fail);
    }
    if (this.stopped) throw this.stopper.signal.reason;
    if (firstError !== null) throw firstError;
    if (!this.segments.every((s) => s.complete)) throw new BraidError('NETWORK_ERROR', 'the transfer ended with bytes missing', { retryable: true });
  }

  private async worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const segment = this.takeWork();
      if (!segment) return;
      segment.active = true;
      this.connections++;
      try {
        await this.fetchSegment(segment, signal);
      } finally {
        segment.active = false;
        this.connections--;
      }
    }
  }

  /**
   * A connection whose server went quiet or only trickles (while we were ready to read) is cut and retried.
   * The minimum rate is for the download as a whole, shared by its connections: a slow server split eight
   * ways is not a trickle.
   */
  private abortStalled(stallMs: number, minBytesPerSecond: number): void {
    const now = performance.now();
    const perConnection = minBytesPerSecond / Math.max(1, this.receiving.size);
    for (const watch of this.receiving) {
      const why = watch.verdict(now, stallMs, perConnection);
      if (why) watch.controller.abort(why);
    }
  }

  /** An unstarted segment, else the second half of the one that will finish last. */
  private takeWork(): LiveSegment | null {
    const idle = this.segments.find((s) => !s.active && s.position < s.end);
    if (idle) return idle;
    if (!this.ranged) return null;
    const now = performance.now();
    const running = this.segments.filter((s) => s.active);
    const split = chooseSplit(running.map((s) => ({ position: s.position, end: s.end, speed: s.speed(now) })));
    if (!split) return null;
    const victim = running[split.index]!;
    const piece = new LiveSegment(split.at, victim.end, 0);
    victim.end = split.at;
    this.segments.push(piece);
    this.segments.sort((a, b) => a.start - b.start);
    return piece;
  }

  private async fetchSegment(segment: LiveSegment, signal: AbortSignal): Promise<void> {
    const sink = new SegmentSink(this.file!, segment, this.ctx.pool, this.account, signal);
    this.sinks.add(sink);
    let failed = false;
    try {
      let attempts = 0;
      while (segment.position < segment.end) {
        const before = segment.position;
        try {
          await this.requestRange(segment, sink, signal);
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          if (error instanceof RestartRequired || error instanceof RangeIgnored) throw error;
          const e = toBraidError(error, this.requestUrl);
          if (!e.retryable) throw e;
          if (segment.position > before && !(e instanceof TrickleError)) attempts = 0;
          if (!this.ranged && segment.position > segment.start) {
            // Without ranges a broken body cannot be continued, only fetched again from the start.
            throw new RestartRequired(`${e.message}, and the server cannot resume`);
          }
          attempts++;
          await this.waitToRetry(e, attempts, signal);
        }
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      this.sinks.delete(sink);
      await sink.drain().catch((error: unknown) => {
        if (!failed) throw error;
      });
    }
  }

  /** Keeps why the download is trying again, for the detail panel's history. */
  private noteRetry(e: BraidError): void {
    this.lastError = e.toJSON();
    this.retryLog = [...this.retryLog, { at: Date.now(), ...this.lastError }].slice(-RETRY_LOG_LENGTH);
  }

  private async waitToRetry(e: BraidError, attempts: number, signal: AbortSignal): Promise<void> {
    const policy = this.ctx.timing.retry;
    this.retries++;
    this.noteRetry(e);
    if (attempts >= policy.maxAttempts) {
      throw new BraidError(e.code, `${e.message} (gave up after ${attempts} attempts)`);
    }
    if (e.retryAfterMs !== undefined && e.retryAfterMs > policy.maxRetryAfterMs) {
      throw new BraidError(
        'RETRY_AFTER_TOO_LONG',
        `${e.message} and asked to retry in ${formatDuration(e.retryAfterMs / 1000)}, longer than the ${formatDuration(policy.maxRetryAfterMs / 1000)} Braid waits`,
      );
    }
    await sleep(e.retryAfterMs ?? backoffDelay(attempts, policy), signal);
  }

  private async withRetries<T>(action: () => Promise<T>, signal: AbortSignal): Promise<T> {
    for (let attempts = 1; ; attempts++) {
      try {
        return await action();
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const e = toBraidError(error, this.source);
        if (!e.retryable) throw e;
        await this.waitToRetry(e, attempts, signal);
      }
    }
  }

  /** Where the body of this response ends (exclusive file offset), after checking it may be written at all. */
  private checkResponse(response: Parameters<typeof contentLength>[0], first: number, askedLast: number | null): number {
    const status = response.statusCode;
    if (status === 206 && askedLast !== null) {
      const range = parseContentRange(header(response, 'content-range') ?? undefined);
      const problem = checkRangeAnswer(range, { first, last: askedLast }, this.validators.size);
      if (problem) {
        if (problem.startsWith('file size changed')) throw new RestartRequired(problem);
        throw new BraidError('BAD_RESPONSE', `the server answered a wrong range: ${problem}`, { retryable: true });
      }
      const etag = header(response, 'etag');
      if (this.validators.etag && !isWeakEtag(this.validators.etag) && etag && etag !== this.validators.etag) {
        throw new RestartRequired('the file changed on the server (new ETag)');
      }
      const length = contentLength(response);
      if (length !== null && length !== range!.last - range!.first + 1) {
        throw new BraidError('BAD_RESPONSE', 'Content-Length does not match Content-Range', { retryable: true });
      }
      return range!.last + 1;
    }
    if (status >= 200 && status <= 299) {
      const now = { etag: header(response, 'etag'), lastModified: header(response, 'last-modified'), size: contentLength(response) };
      const change = versionChange(this.validators, now);
      if (change) throw new RestartRequired(change);
      if (askedLast !== null) {
        if (status === 200) throw new RangeIgnored();
        throw new BraidError('BAD_RESPONSE', `the server answered ${status} to a range request`, { retryable: true });
      }
      return now.size ?? this.validators.size ?? UNKNOWN_END;
    }
    if (status === 416) {
      // `bytes */N` tells the server's size now; we only ask for ranges inside the size we know.
      const now = parseUnsatisfiedRange(header(response, 'content-range') ?? undefined);
      const size = this.validators.size;
      if (now !== null && size !== null && now !== size) throw new RestartRequired(`the file size changed from ${size} to ${now}`);
      throw new RestartRequired('the server refused the range (416)');
    }
    throw statusError(response);
  }

  private async requestRange(segment: LiveSegment, sink: SegmentSink, signal: AbortSignal): Promise<void> {
    // A plain controller per request, linked to the job's signal by hand. Node keeps a composite signal
    // (AbortSignal.any) alive while it has an abort listener and has not aborted, and a request that ends
    // normally leaves its listener behind: every finished request would stay in memory for good.
    const connection = new AbortController();
    const abortConnection = () => connection.abort(signal.reason);
    if (signal.aborted) abortConnection();
    else signal.addEventListener('abort', abortConnection, { once: true });
    const first = segment.position;
    const headers = this.headers;
    let askedLast: number | null = null;
    if (this.ranged) {
      askedLast = segment.end - 1;
      headers['range'] = `bytes=${first}-${askedLast}`;
      const ifRange = ifRangeValue(this.validators, this.responseDate);
      if (ifRange) headers['if-range'] = ifRange;
    }
    const request = this.ctx.http.stream(this.requestUrl, headers, connection.signal);
    let watched: ReceiveWatch | null = null;
    try {
      const response = await awaitResponse(request);
      const bodyEnd = this.checkResponse(response, first, askedLast);
      segment.beginConnection(performance.now());
      let cutShort = false;
      watched = new ReceiveWatch(connection, performance.now());
      this.receiving.add(watched);
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
          watched.received(data.length, performance.now());
          const wait = Math.max(this.bucket.take(data.length), this.ctx.globalBucket.take(data.length));
          if (wait > 0) await sleep(wait, connection.signal);
          await sink.push(data);
          watched.ready(performance.now());
          segment.received(data.length);
          this.received += data.length;
        }
        if (cutShort) break;
      }
      if (!cutShort && bodyEnd === UNKNOWN_END) {
        // A body of unknown length ends when the server closes it: that is the size.
        segment.end = segment.position;
        this.validators = { ...this.validators, size: segment.position };
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
      if (watched) this.receiving.delete(watched);
      signal.removeEventListener('abort', abortConnection);
      if (!request.readableEnded) request.destroy();
    }
  }

  // ---- checkpoints and completion ------------------------------------------------------------------------

  /** Syncs the file, then commits every segment's written offset in one transaction. */
  checkpoint(): Promise<void> {
    const previous = this.checkpointRunning ?? Promise.resolve();
    const next = previous.then(() => this.commitProgress());
    this.checkpointRunning = next;
    const clear = () => {
      if (this.checkpointRunning === next) this.checkpointRunning = null;
    };
    next.then(clear, clear);
    return next;
  }

  private async commitProgress(): Promise<void> {
    if (!this.file || this.segments.length === 0) return;
    // Half-filled buffers of quiet connections would otherwise hold memory and progress back.
    for (const sink of this.sinks) sink.flush();
    const segments = compactSegments(this.segments.map((s) => ({ start: s.start, end: s.end, done: s.written - s.start })));
    const bytesDone = segments.reduce((sum, s) => sum + s.done, 0);
    if (bytesDone === this.committedBytes) return;
    await this.file.datasync();
    const size = this.validators.size;
    this.ctx.repo.saveProgress(this.id, segments, { bytesDone, retries: this.retries, retryLog: this.retryLog, ...(size !== this.record.size ? { size } : {}) });
    this.committedBytes = bytesDone;
  }

  private async complete(): Promise<JobOutcome> {
    const file = this.file!;
    const size = this.validators.size ?? this.segments.reduce((end, s) => Math.max(end, s.end), 0);
    const onDisk = await file.size();
    if (onDisk !== size) throw new BraidError('SIZE_MISMATCH', `the file has ${onDisk} bytes, expected ${size}`);
    const checksum = this.record.options.checksum;
    if (checksum) {
      const actual = await hashFile(this.partPath, checksum.algorithm);
      if (actual !== checksum.hex) {
        // The bytes are wrong: the next try must fetch them again, not trust them.
        this.segments = this.plan(size, this.ranged);
        this.commitPlan(null, this.record.name!);
        throw new BraidError('CHECKSUM_ERROR', `${checksum.algorithm} of the file is ${actual}, expected ${checksum.hex}`);
      }
    }
    await file.datasync();
    await file.close();
    this.file = null;
    const name = await this.placeFinal();
    await syncFolder(this.record.folder);
    this.ctx.repo.update(this.id, { status: 'completed', name, size, bytesDone: size, completedAt: Date.now(), error: null, stopReason: null, retries: this.retries, retryLog: this.retryLog });
    this.record = { ...this.record, name, status: 'completed' };
    return { kind: 'completed', name, path: join(this.record.folder, name) };
  }

  /** Moves `.part` to the final name without ever replacing a file that appeared there meanwhile. */
  private async placeFinal(): Promise<string> {
    const part = this.partPath;
    const wanted = this.record.name!;
    for (let attempt = 0; attempt < 100; attempt++) {
      const name = uniqueName(wanted, (c) => occupied(join(this.record.folder, c)));
      const target = join(this.record.folder, name);
      try {
        await link(part, target); // fails if anything is at `target`, unlike rename
        await unlink(part);
        return name;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'EEXIST') continue;
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'ENOSYS' || code === 'EMLINK') {
          if (occupied(target)) continue;
          await rename(part, target); // a file system without hard links
          return name;
        }
        throw error;
      }
    }
    throw new BraidError('FILE_ERROR', `no free name for ${wanted} in ${this.record.folder}`);
  }

  // ---- what the UI sees ----------------------------------------------------------------------------------

  /** Updates the smoothed speed; called once per engine tick. */
  sampleSpeed(now: number): void {
    const s = this.speedSample;
    if (s.at > 0) {
      const seconds = (now - s.at) / 1000;
      if (seconds > 0) {
        const instant = (this.received - s.received) / seconds;
        s.speed = s.speed === 0 ? instant : s.speed * 0.7 + instant * 0.3;
      }
    }
    s.at = now;
    s.received = this.received;
  }

  snapshot(): DownloadSnapshot {
    const rec = this.record;
    const segments = this.segments.map((s) => ({ start: s.start, end: s.end, done: s.position - s.start }));
    const bytesDone = segments.reduce((sum, s) => sum + s.done, 0);
    const size = this.validators.size ?? rec.size;
    const speed = this.speedSample.speed;
    return {
      id: this.id,
      url: rec.url,
      name: rec.name,
      folder: rec.folder,
      status: 'active',
      size,
      bytesDone,
      speed,
      eta: size !== null && speed > 0 ? (size - bytesDone) / speed : null,
      connections: this.connections,
      memory: { inFlight: this.account.inFlight, cap: this.account.cap },
      segments: size === null ? [] : segments,
      error: this.lastError,
      priority: rec.priority,
      position: rec.position,
    };
  }
}

/** Failures that another server may not have; anything else (disk, options) fails wherever the bytes come from. */
const SOURCE_FAILURES = new Set<ErrorCode>([
  'HTTP_ERROR', 'NETWORK_ERROR', 'TIMEOUT', 'BAD_RESPONSE', 'TOO_MANY_REDIRECTS', 'RETRY_AFTER_TOO_LONG',
  'CANNOT_RESUME', 'SIZE_MISMATCH', 'CHECKSUM_ERROR',
]);

/** A URL for messages: scheme, host and path, never credentials or the query. */
function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'another mirror';
  }
}

/** Whether anything is at `path`, a link included even when it points nowhere (existsSync would follow it). */
function occupied(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

async function syncFolder(folder: string): Promise<void> {
  // Makes the rename durable; folders cannot be opened for sync on every platform, which is not an error.
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
