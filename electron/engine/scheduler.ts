import type { DownloadError, DownloadRecord, DownloadSnapshot, DownloadStatus, StopReason } from '../../shared/types';
import { checkTransition, internalError, statusAfterStop, type JobOutcome } from './download-status';
import type { EventHub } from './event-hub';
import type { DownloadIdSet, DownloadPatch, DownloadRepository } from './ports';
import { reportOnce } from './report-once';
import { StoreRefusals, type StatusChange } from './store-refusals';
import { displayName } from '../../shared/file-category';

/** The status change that records how a job's run ended. */
function endingOf(outcome: JobOutcome): StatusChange {
  if (outcome.kind === 'completed') {
    const size = outcome.size;
    return { from: 'active', to: 'completed', patch: { name: outcome.name, size, bytesDone: size, completedAt: Date.now(), error: null, stopReason: null, placing: null }, path: outcome.path };
  }
  if (outcome.kind === 'failed') return { from: 'active', to: 'failed', patch: { error: outcome.error, stopReason: null } };
  return { from: 'active', to: statusAfterStop(outcome.reason), patch: { stopReason: outcome.reason } };
}

/** What the scheduler needs of a job: run it to an outcome, stop it, and look at it. */
export interface ScheduledJob {
  run(): Promise<JobOutcome>;
  stop(reason: StopReason): void;
  snapshot(): DownloadSnapshot;
  sampleSpeed(now: number): void;
}

export interface SchedulerDeps<J extends ScheduledJob> {
  repo: DownloadRepository;
  hub: EventHub;
  createJob(record: DownloadRecord): J;
  maxConcurrent(): number;
  /** Called when nothing runs any more (to give pooled buffers back). */
  onIdle(): void;
}

interface Running<J> {
  job: J;
  /** Settles (never rejects) once the outcome is recorded and the slot is free. */
  done: Promise<void>;
}

/**
 * Which downloads run: at most `maxConcurrent` jobs, picked from the queue in run order (or, for a `braid get`,
 * among that run's own downloads), started as others end. The scheduler alone writes a download's status, through
 * the transition table of `download-status.ts`; a job only reports how its run ended.
 */
export class Scheduler<J extends ScheduledJob> {
  private readonly repo: DownloadRepository;
  private readonly hub: EventHub;
  private readonly jobs = new Map<number, Running<J>>();
  /** This run's own downloads not started yet (`braid get`); null means the whole queue. */
  private only: DownloadIdSet | null = null;
  /**
   * A `get` run's downloads whose start failed (in the store, usually), with what was thrown: the run counts them
   * as failed even when the store could not record it.
   */
  private readonly unstartable = new Map<number, unknown>();
  /** What the store refused to write, and why, while it refuses. */
  private readonly refusals = new StoreRefusals();
  private started = false;
  private closing = false;

  constructor(private readonly deps: SchedulerDeps<J>) {
    this.repo = deps.repo;
    this.hub = deps.hub;
  }

  get isStarted(): boolean {
    return this.started;
  }

  /** Why downloads wait on the store, while some do: a start it refused lately, or an end still unwritten. */
  get storeProblem(): string | null {
    return this.refusals.problem;
  }

  get runningCount(): number {
    return this.jobs.size;
  }

  running(id: number): J | undefined {
    return this.jobs.get(id)?.job;
  }

  runningJobs(): IterableIterator<J> {
    return [...this.jobs.values()].map((r) => r.job)[Symbol.iterator]();
  }

  /** Requeues what was running when Braid last stopped (or crashed) and starts picking. */
  start(only: Iterable<number> | undefined): void {
    if (this.started) return;
    this.started = true;
    if (only) {
      this.only = this.repo.idSet();
      this.only.add(only);
    }
    this.repo.requeue('active', null); // active → queued, in bulk: nothing runs yet
    this.pump();
  }

  /** Makes downloads eligible for this run (a `get` run only picks its own). */
  include(ids: Iterable<number>): void {
    this.only?.add(ids);
  }

  /**
   * Starts queued downloads while slots are free. A start that fails leaves its slot free for the next download
   * at once, not at the next tick: a `get` run on a store that cannot be written fails its list in moments, not
   * minutes. The whole queue (the app, `serve`) ends the pass at a start whose failure could not even be
   * recorded, since the store is most likely refusing every write: that download stays queued, is passed over for
   * a few seconds, and the next ticks try others, so the queue starts by itself once space is freed.
   */
  pump(): void {
    if (!this.started || this.closing) return;
    this.writeUnwritten();
    let storeRefuses = false;
    while (!storeRefuses) {
      const free = this.deps.maxConcurrent() - this.jobs.size;
      if (free <= 0) break;
      // A `get` run's picks leave its set, so only the running need excluding, not every failed start before.
      const exclude = new Set(this.jobs.keys());
      for (const id of this.refusals.recentStarts()) exclude.add(id);
      const next = this.only ? this.only.nextQueued(free, exclude) : this.repo.nextQueued(free, exclude);
      if (next.length === 0) break;
      this.only?.delete(next.map((r) => r.id));
      for (const record of next) {
        storeRefuses = this.launch(record) === 'unrecorded' && !this.only;
        if (storeRefuses) break;
      }
    }
    if (this.jobs.size === 0) this.deps.onIdle();
  }

  /** What was thrown when a download of this run could not be started, if it could not. */
  startFailure(id: number): unknown {
    return this.unstartable.get(id);
  }

  /** Starts one download; says whether it runs, failed, or failed where even the failure could not be written. */
  private launch(record: DownloadRecord): 'running' | 'failed' | 'unrecorded' {
    const id = record.id;
    let job: J;
    let activated = false;
    try {
      this.setStatus(id, record.status, 'active', { stopReason: null, error: null });
      activated = true;
      job = this.deps.createJob({ ...record, status: 'active', stopReason: null, error: null });
    } catch (thrown) {
      if (this.only) this.unstartable.set(id, thrown);
      const error = internalError(thrown);
      const recorded = this.recordFailure(id, error);
      if (!recorded) this.refusals.refused(thrown);
      // Left `active` with no job, it would never be picked again: the queue takes it again when the store
      // allows; a get run, which counted it failed, records it so.
      const later = !recorded && activated ? this.refusals.failedEnd(id, endingOf({ kind: 'failed', error }), !this.only) : null;
      if (later) this.refusals.unwritten.set(id, later);
      // One still queued, or to be queued again, is not failed: the whole queue tries it again later.
      if (recorded || later?.to === 'failed') this.announceFailure(id, error);
      else if (!this.only && !later) this.refusals.startRefused(id);
      return recorded ? 'failed' : 'unrecorded';
    }
    this.refusals.startTaken(id);
    this.refusals.taken();
    const running: Running<J> = { job, done: Promise.resolve() };
    this.jobs.set(id, running);
    running.done = this.runToEnd(id, job);
    return 'running';
  }

  /** Runs a job and records how it ended; whatever happens, the slot is freed and the queue moves on. */
  private async runToEnd(id: number, job: J): Promise<void> {
    let failure: DownloadError | null = null;
    let completed: { name: string; path: string } | null = null;
    let ending: StatusChange;
    try {
      const outcome = await job.run();
      ending = endingOf(outcome);
      if (outcome.kind === 'completed') completed = outcome;
      if (outcome.kind === 'failed') failure = outcome.error;
    } catch (error) {
      // The job broke its contract (a store write threw inside it).
      failure = internalError(error);
      ending = endingOf({ kind: 'failed', error: failure });
    }
    try {
      this.setStatus(id, ending.from, ending.to, ending.patch);
      this.refusals.taken();
    } catch (error) {
      this.refusals.refused(error);
      // The outcome could not be written: it is kept, and the store is told what really happened once it takes
      // writes again. A failure may well be the store's own doing (a write inside the job refused): the whole queue
      // takes the download again rather than writing it off, and it fails anew if it must. A get run, which cannot
      // wait, counts it failed now and has no second pick: there it is recorded as it ended.
      failure = internalError(error);
      completed = null;
      if (!this.recordFailure(id, failure)) {
        const later = ending.to === 'failed' ? this.refusals.failedEnd(id, ending, !this.only) : ending;
        this.refusals.unwritten.set(id, later);
        // The whole queue has not failed it: it is taken again, or announced completed once that is written. A get
        // run counts it failed, as it stands.
        if (!this.only && later.to !== 'failed') failure = null;
      }
    } finally {
      this.jobs.delete(id);
      this.hub.changed([id]);
    }
    if (completed) this.hub.emit({ type: 'completed', id, name: completed.name, path: completed.path });
    if (failure) this.announceFailure(id, failure);
    try {
      this.pump();
    } catch (error) {
      reportOnce('cannot start the next download', error);
    }
  }

  /**
   * Writes the status changes the store refused before, each on its own: a row the store never takes does not
   * hold up the others, nor the queue. A download removed since keeps nothing. A run that ended completed is
   * announced completed once that is written; not in a get run, which has announced it failed already and keeps to
   * one outcome per download.
   */
  private writeUnwritten(): void {
    for (const [id, change] of this.refusals.unwritten) {
      if (this.jobs.has(id)) {
        this.refusals.unwritten.delete(id);
        continue;
      }
      try {
        if (this.repo.get(id)?.status === change.from) this.setStatus(id, change.from, change.to, change.patch);
        this.refusals.unwritten.delete(id);
      } catch (error) {
        reportOnce('cannot record how a download ended', error, `#${id}`);
        this.refusals.refused(error);
        continue;
      }
      this.refusals.taken();
      const name = change.patch.name;
      if (change.to === 'completed' && name && change.path && !this.only) this.hub.emit({ type: 'completed', id, name, path: change.path });
    }
  }

  /** A failed event, with the download's name for the person reading it (when the store can still be read). */
  private announceFailure(id: number, error: DownloadError): void {
    let name: string | undefined;
    try {
      const record = this.repo.get(id);
      name = record ? displayName(record) : undefined;
    } catch {
      // Said without its name.
    }
    this.hub.emit({ type: 'failed', id, error, ...(name !== undefined ? { name } : {}) });
  }

  /**
   * Records an internal failure, from whatever status the store holds; reported, and false, when even that cannot
   * be written.
   */
  private recordFailure(id: number, error: DownloadError): boolean {
    try {
      const from = this.repo.get(id)?.status;
      if (from && from !== 'failed') this.setStatus(id, from, 'failed', { error, stopReason: null });
      return true;
    } catch (writeError) {
      reportOnce('cannot record the failure of a download', writeError, `#${id}`);
      return false;
    }
  }

  /** The one place a download's status is written: only a change the table allows. */
  private setStatus(id: number, from: DownloadStatus, to: DownloadStatus, patch: Omit<DownloadPatch, 'status'> = {}): void {
    checkTransition(id, from, to);
    this.repo.update(id, { ...patch, status: to });
    this.hub.changed([id]);
  }

  /** Pauses downloads: a running one is stopped (it ends paused), a queued one is paused at once. */
  async pause(ids: number[]): Promise<void> {
    const stopping: Promise<void>[] = [];
    for (const id of ids) {
      const running = this.jobs.get(id);
      if (running) {
        running.job.stop('user');
        stopping.push(running.done);
      } else if (this.repo.get(id)?.status === 'queued') {
        this.setStatus(id, 'queued', 'paused', { stopReason: 'user' });
      }
    }
    await Promise.all(stopping);
  }

  /** Queues paused and failed downloads again (resume, retry). */
  resume(ids: number[]): void {
    const queued: number[] = [];
    for (const id of ids) {
      const status = this.repo.get(id)?.status;
      if (status === 'paused' || status === 'failed') {
        this.setStatus(id, status, 'queued', { stopReason: null, error: null });
        this.unstartable.delete(id);
        queued.push(id);
      }
    }
    this.include(queued);
    this.pump();
  }

  /** Queues an unfinished download again for this run (running `braid get` twice resumes it). */
  requeue(record: DownloadRecord): void {
    if (record.status === 'paused' || record.status === 'failed') {
      this.setStatus(record.id, record.status, 'queued', { stopReason: null, error: null });
    } else if (record.status === 'queued' && (record.stopReason !== null || record.error !== null)) {
      this.repo.update(record.id, { stopReason: null, error: null });
    }
    this.include([record.id]);
  }

  /** Stops the running ones among `ids` (before they are removed) and forgets them. */
  async forget(ids: number[]): Promise<void> {
    const stopping = ids.flatMap((id) => {
      const running = this.jobs.get(id);
      if (!running) return [];
      running.job.stop('user');
      return [running.done];
    });
    await Promise.all(stopping);
    this.only?.delete(ids);
  }

  /** Resolves when none of `ids` is queued or running any more (or the engine is closing). */
  async whenSettled(ids: Iterable<number>): Promise<void> {
    const wanted = new Set(ids);
    for (;;) {
      const running = [...this.jobs.entries()].filter(([id]) => wanted.has(id)).map(([, r]) => r.done);
      if (running.length > 0) {
        await Promise.race(running);
        continue;
      }
      const waiting = [...wanted].some((id) => !this.unstartable.has(id) && this.repo.get(id)?.status === 'queued');
      if (!waiting || this.closing) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops every running download as a shutdown (each ends queued, to resume on the next start). */
  async close(): Promise<void> {
    this.closing = true;
    const running = [...this.jobs.values()];
    for (const { job } of running) {
      try {
        job.stop('shutdown');
      } catch (error) {
        reportOnce('cannot stop a download', error);
      }
    }
    await Promise.allSettled(running.map((r) => r.done));
    try {
      this.only?.close();
    } catch {
      /* the database is already closed */
    }
    this.only = null;
  }
}
