import { setMaxListeners } from 'node:events';
import { CONNECTIONS } from '../../shared/limits';
import type { DownloadRecord, DownloadSnapshot, StopReason } from '../../shared/types';
import { Checkpointer } from './checkpointer';
import type { JobOutcome } from './download-status';
import { fetchSegment, type TransferContext } from './connection';
import { BraidError, JobStopped, StartOver, startedOverTooOften, toBraidError } from './errors';
import { nameFromContentDisposition } from './filename';
import { Finishing, type Finished } from './finishing';
import { serverOf, StepAside } from './host-limits';
import { JobState } from './job-state';
import { isLinkRefusal, linkFailure } from './link-expiry';
import { LinkRefresher } from './link-refresh';
import type { MemoryAccount } from './memory-budget';
import { Preparation } from './preparation';
import { probe, type ProbeResult } from './probe';
import { reportOnce } from './report-once';
import { header, type ResponseHead } from './response';
import { cutStalled, type ReceiveWatch } from './receive-watch';
import { RetryBook } from './retry-book';
import { verifySeams } from './seam-check';
import type { SegmentSink } from './segment-sink';
import { ServerConnections } from './server-connections';
import { SpeedMeter } from './speed-meter';
import { TokenBucket } from './token-bucket';
import type { JobContext } from './job-context';

const isRefusal = (status: number) => isLinkRefusal(status, null);

/** Fresh starts (file changed, range ignored) allowed in one run before giving up. */
const MAX_RESTARTS = 3;

/**
 * One run of one download: probe, prepare (resume or start), transfer with parallel connections, verify seams
 * where the server gives no validator, finish. A changed file starts over (a few times at most); a source that
 * fails for good hands over to the next mirror. Progress is persisted as it goes; the outcome is returned.
 */
export class DownloadJob {
  readonly account: MemoryAccount;
  private readonly state: JobState;
  private readonly stopper = new AbortController();
  private readonly bucket: TokenBucket;
  private readonly retries: RetryBook;
  private readonly preparation: Preparation;
  private readonly finishing: Finishing;
  private readonly checkpointer: Checkpointer;
  private readonly links: LinkRefresher;
  private readonly sinks = new Set<SegmentSink>();
  private readonly watches = new Set<ReceiveWatch>();
  private restarts = 0;
  /** Set at a start-over (the GETs told another file, say): a HEAD that disagrees with them would mislead every plan. */
  private probeWithGet = false;
  /** The `.part` being renamed to the name an answer gave. */
  private naming: Promise<void> = Promise.resolve();
  private readonly fastPath = { enabled: true };
  private readonly speed = new SpeedMeter();
  private readonly server: ServerConnections;

  constructor(
    record: DownloadRecord,
    private readonly ctx: JobContext,
  ) {
    this.state = new JobState(record, ctx.clock);
    this.server = new ServerConnections(ctx.hosts, record.id);
    this.retries = new RetryBook(record, ctx.timing.retry, ctx.clock);
    this.account = ctx.budget.account(ctx.perDownloadMemory);
    this.bucket = new TokenBucket(record.options.speedLimit ?? 0);
    this.checkpointer = new Checkpointer(ctx.repo, {
      id: record.id,
      file: () => this.state.file,
      segments: this.state.segments,
      sinks: this.sinks,
      mergeFinished: () => this.state.seams === null,
      extra: () => {
        const size = this.state.validators.size;
        return { retries: this.retries.retries, retryLog: this.retries.log, ...(size !== this.state.record.size ? { size } : {}) };
      },
    });
    this.preparation = new Preparation(this.state, {
      repo: ctx.repo,
      fs: ctx.fs,
      connections: this.connectionCount,
      planCommitted: () => (this.checkpointer.committed = 0),
    });
    this.finishing = new Finishing(this.state, ctx.repo, ctx.fs);
    this.links = new LinkRefresher({ state: this.state, repo: ctx.repo, clock: ctx.clock, probe: () => this.probe(false) });
  }

  get id(): number {
    return this.state.id;
  }

  get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  private get connectionCount(): number {
    return Math.max(CONNECTIONS.min, Math.min(CONNECTIONS.max, this.state.record.options.segments ?? this.ctx.segments));
  }

  /** Stops the transfer; `run()` then checkpoints and resolves with a `stopped` outcome. */
  stop(reason: StopReason): void {
    if (!this.stopped) this.stopper.abort(new JobStopped(reason));
  }

  /** Bytes received in this run. */
  get received(): number {
    return this.speed.total;
  }

  setSpeedLimit(bytesPerSecond: number): void {
    this.bucket.setRate(bytesPerSecond);
  }

  /** Never rejects: every ending, a fault of Braid's own included, is an outcome. */
  async run(): Promise<JobOutcome> {
    let outcome: JobOutcome;
    try {
      outcome = await this.fromSources();
    } catch (error) {
      outcome = this.stopped ? { kind: 'stopped', reason: (this.stopper.signal.reason as JobStopped).reason } : this.failure(error);
    } finally {
      await this.naming;
      await this.state.closeFile();
    }
    try {
      this.ctx.repo.update(this.id, { retries: this.retries.retries, retryLog: this.retries.log });
    } catch (error) {
      if (outcome.kind !== 'failed') outcome = this.failure(error);
    }
    return outcome;
  }

  private failure(error: unknown): JobOutcome {
    const braidError = toBraidError(error, this.state.sources.requestUrl);
    const e = braidError.toJSON();
    if (braidError.ifLast) e.message = `${e.message}; ${braidError.ifLast}`;
    this.state.sources.explain(e);
    return { kind: 'failed', error: e };
  }

  /** The download from its current source, then from each mirror in turn while the failure is the server's. */
  private async fromSources(): Promise<JobOutcome> {
    for (;;) {
      try {
        const done = await this.fromSource();
        return { kind: 'completed', ...done };
      } catch (error) {
        if (this.stopped) throw error;
        const note = this.state.sources.next(toBraidError(error, this.state.sources.requestUrl));
        if (!note) throw error;
        this.retries.note(note);
        this.restarts = 0;
        await this.state.closeFile();
      }
    }
  }

  private async fromSource(): Promise<Finished> {
    this.state.finishing = null;
    // Why the bytes on disk are not continued goes in the retry log, as a start-over in mid-transfer does.
    // Not the run's "last problem": the run itself is healthy, and that line's advice would be to start over.
    const startingOver = (reason: string) => this.retries.record(new BraidError('CANNOT_RESUME', `${reason}; started over`));
    const placed = await this.preparation.prepare(await this.probe(), () => this.finishing.reconcile(), startingOver);
    if (placed) return placed;
    for (;;) {
      try {
        this.state.finishing = null;
        await this.transfer();
        if (this.state.seams) await this.verifySeams();
        break;
      } catch (error) {
        if (this.stopped || !(error instanceof StartOver)) throw error;
        // Not checking seams any more: starting over (the probe, the truncation) is what the window should say.
        this.state.finishing = null;
        // Fresh starts are retries too: as many as the attempts allowed in a row, at most MAX_RESTARTS.
        const most = Math.min(MAX_RESTARTS, this.ctx.timing.retry.maxAttempts);
        if (++this.restarts > most) throw startedOverTooOften(error, most);
        this.retries.note(new BraidError('CANNOT_RESUME', `${error.message}; starting over`));
        this.probeWithGet = true;
        if (error.rangesIgnored) await this.preparation.startOver(null, false);
        else await this.preparation.startOver(await this.probe(), true);
      }
    }
    await this.naming;
    const size = this.state.validators.size ?? this.state.segments.end;
    return this.finishing.finish(size, this.stopper.signal, () => {
      this.state.segments.plan(size, this.state.ranged, this.connectionCount);
      this.preparation.commitPlan(null);
    });
  }

  /**
   * Asks the download's own URL. `takeSlot` false: the caller is a connection that already holds a slot to the
   * server (a link refresh from inside a transfer), and waiting for another could wait on itself.
   */
  private async probe(takeSlot = true): Promise<ProbeResult> {
    const { sources } = this.state;
    const signal = this.stopper.signal;
    const clients = { http: this.ctx.http, receivePool: this.ctx.receivePool, firstByteTimeoutMs: this.ctx.timing.firstByteTimeoutMs, proxyFor: this.proxyFor };
    // The probe is a connection to the server too: a server that allows one is not asked for a second.
    const probeOnce = async () => {
      const slot = takeSlot ? await this.server.slotTo(sources.current, signal) : null;
      try {
        return await probe(clients, sources.current, sources.headersFor(sources.current), signal, this.probeWithGet);
      } finally {
        slot?.release();
      }
    };
    try {
      return await this.retries.attempt(probeOnce, signal, sources.current);
    } catch (error) {
      // The download's own URL refusing with bytes on disk: its link expired, and a new one can continue them.
      if (error instanceof BraidError && (this.state.record.bytesDone > 0 || this.received > 0)) throw linkFailure(error, this.id);
      throw error;
    }
  }

  /** The proxy for a request of this download: its own, else the settings', the system's or the environment's. */
  private readonly proxyFor = (url: string): Promise<string | null> => this.ctx.proxies.route(url, this.state.record.options.proxy);

  private async verifySeams(): Promise<void> {
    const { state, ctx } = this;
    const signal = this.stopper.signal;
    for (let refreshes = 0; ; refreshes++) {
      const url = state.sources.requestUrl;
      const source = { http: ctx.http, url, headers: state.sources.headersFor(url), proxy: await this.proxyFor(url) };
      try {
        // No seams to read (one answer gave the whole file): nothing to show.
        const progress = (done: number, total: number) => (state.finishing = total > 0 ? { step: 'seams', done, total } : null);
        return await verifySeams(state.seams!, state.segments.end, state.file!, source, (action) => this.retries.attempt(action, signal, url), signal, progress);
      } catch (error) {
        if (!(error instanceof BraidError) || error.status === undefined || !isRefusal(error.status)) throw error;
        if (!this.links.canRefresh(url) || refreshes >= 3) throw linkFailure(error, this.id);
        state.finishing = null; // refreshing the link, not checking seams, until the check begins again
        await this.links.refresh(url, signal);
      }
    }
  }

  // ---- transferring --------------------------------------------------------------------------------------

  private async transfer(): Promise<void> {
    const failure = new AbortController();
    const signal = AbortSignal.any([this.stopper.signal, failure.signal]);
    // Every connection waits on it in a few places at once (memory, pacing, its request): not a leak.
    setMaxListeners(8 * CONNECTIONS.max, signal);
    let firstError: unknown = null;
    const fail = (error: unknown) => {
      if (firstError === null) {
        firstError = error;
        failure.abort(error);
      }
    };
    const { clock, timing } = this.ctx;
    const checkpoints = this.checkpointer.cadence(clock, timing.checkpointMs, timing.checkpointBytes, () => this.received, fail);
    const watchdog = clock.every(Math.max(10, Math.min(1000, timing.stallTimeoutMs / 4)), () =>
      cutStalled(this.watches, clock.now(), timing.stallTimeoutMs, timing.minBytesPerSecond),
    );
    const context = this.transferContext(checkpoints.afterReceive);
    const perServer = this.state.record.options.maxPerServer ?? CONNECTIONS.max;
    const count = this.state.ranged ? Math.min(this.connectionCount, perServer) : 1;
    // A connection waiting for a slot to the server stops waiting once the others have received every segment.
    const allReceived = new AbortController();
    const waitSignal = AbortSignal.any([signal, allReceived.signal]);
    setMaxListeners(8 * CONNECTIONS.max, waitSignal);
    try {
      await Promise.all(Array.from({ length: count }, () => this.worker(context, signal, waitSignal, allReceived).catch(fail)));
    } finally {
      checkpoints.cancel();
      watchdog.cancel();
      await this.checkpointer.checkpoint().catch(fail);
    }
    if (this.stopped) throw this.stopper.signal.reason;
    if (firstError !== null) throw firstError;
    if (!this.state.segments.complete) throw new BraidError('NETWORK_ERROR', 'the transfer ended with bytes missing', { retryable: true });
  }

  /** `afterReceive` runs after every read's bytes are counted. */
  private transferContext(afterReceive: () => void): TransferContext {
    const { state, ctx } = this;
    return {
      http: ctx.http,
      file: state.file!,
      pool: ctx.pools.forDownload(this.account.cap, this.connectionCount),
      account: this.account,
      sources: state.sources,
      version: state,
      seams: state.seams,
      buckets: [this.bucket, ctx.globalBucket],
      watches: this.watches,
      sinks: this.sinks,
      retries: this.retries,
      clock: ctx.clock,
      firstByteTimeoutMs: ctx.timing.firstByteTimeoutMs,
      receivePool: ctx.receivePool,
      fastPath: this.fastPath,
      maxRead: ctx.maxRead,
      links: this.links,
      downloadId: this.id,
      onBody: (head) => this.nameFrom(head),
      proxyFor: this.proxyFor,
      onReceived: (bytes, now) => {
        // Bytes arrive again: the last problem is over, and the snapshot no longer says the download is retrying.
        this.retries.received(now);
        this.speed.add(bytes);
        ctx.received.bytes += bytes;
        afterReceive();
      },
    };
  }

  /**
   * The first answer with a body names the file when the probe could not (HEAD without Content-Disposition):
   * the `.part` is renamed to it, safely, while the transfer goes on; finishing waits for that.
   */
  private nameFrom(head: ResponseHead): void {
    if (!this.state.nameOpen) return;
    this.state.nameOpen = false;
    const name = nameFromContentDisposition(header(head, 'content-disposition') ?? undefined);
    if (name) this.naming = this.preparation.renamePart(name).catch((error: unknown) => reportOnce('cannot rename the .part to the name the server gave', error));
  }

  /**
   * One connection's loop: a slot to the server (its limit, learned or set, and the global cap), then a segment.
   * A connection the server refused while others work gives both back and waits for a slot again: the segment
   * goes to a connection that has one.
   */
  private async worker(context: TransferContext, signal: AbortSignal, waitSignal: AbortSignal, allReceived: AbortController): Promise<void> {
    const segments = this.state.segments;
    // This connection's refusals in a row set its backoff, which grows while the server keeps refusing it; they run
    // out only while the download receives nothing at all: bytes other connections bring are progress, as
    // `--retries` promises.
    let refusals = 0;
    let stalled = 0;
    let receivedAtRefusal = -1;
    for (;;) {
      if (signal.aborted) throw signal.reason;
      if (segments.complete) {
        allReceived.abort();
        return;
      }
      let stepped: StepAside | null = null;
      try {
        const slot = await this.server.slotTo(this.state.sources.requestUrl, waitSignal);
        try {
          const segment = segments.checkout();
          if (!segment) return;
          this.server.working++;
          const before = segment.position;
          try {
            await fetchSegment(context, segment, signal, slot);
            refusals = 0;
            stalled = 0;
          } catch (error) {
            if (!(error instanceof StepAside)) throw error;
            if (segment.position > before) refusals = 0;
            if (segment.position > before || this.received > receivedAtRefusal) stalled = 0;
            receivedAtRefusal = this.received;
            stepped = error;
          } finally {
            segments.release(segment);
            this.server.working--;
          }
        } finally {
          slot.release();
        }
        if (stepped?.retryAfter) await this.retries.wait(stepped.retryAfter, ++stalled, waitSignal, ++refusals);
      } catch (error) {
        // Waiting (for a slot, or out a refusal) ends when the other connections received the rest.
        if (!signal.aborted && waitSignal.aborted) return;
        throw error;
      }
    }
  }

  /** Gives a connection back to another download waiting for the same server, when it is this one's turn to. */
  shareServer(): void {
    this.server.share(this.state.segments, serverOf(this.state.sources.requestUrl), this.speed.speed);
  }

  // ---- what the UI sees ----------------------------------------------------------------------------------

  /** Updates the smoothed speed; called once per engine tick. */
  sampleSpeed(now: number): void {
    this.speed.sample(now);
  }

  snapshot(): DownloadSnapshot {
    // The buffers set aside for this download, filled or not: what it holds of the process's memory.
    const memory = { inFlight: this.account.reserved, cap: this.account.cap };
    const server = serverOf(this.state.sources.requestUrl);
    const hostLimit = this.ctx.hosts.describe(server);
    // Said only while nothing of this download moves: one connection waiting beside others that work is no news.
    const connectionWait = this.server.waitFor(server);
    const { speed } = this.speed;
    return this.state.snapshot({ speed, connections: this.server.working, memory, error: this.retries.recent, ...(hostLimit && { hostLimit }), ...(connectionWait && { connectionWait }) });
  }
}
