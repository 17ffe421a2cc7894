import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BraidApi } from '../../shared/api';
import type {
  AddRequest,
  AddResult,
  DownloadRecord,
  DownloadSnapshot,
  DownloadStatus,
  EngineEvent,
  ImportReport,
  ListPage,
  ListQuery,
  Settings,
} from '../../shared/types';
import { BufferPool } from './buffer-pool';
import { DownloadJob, type JobContext, type JobOutcome } from './download-job';
import { BraidError } from './errors';
import { HttpClient } from './http-client';
import { ConnectionPool } from './receive/connection-pool';
import { MemoryBudget } from './memory-budget';
import { nodeFileSystem } from './part-file';
import { systemClock } from './system-clock';
import type { Clock, DownloadRepository, FileSystemPort, NewDownload } from './ports';
import { DEFAULT_SETTINGS, DEFAULT_TIMING, mergeSettings, type Timing } from './settings';
import { TokenBucket } from './token-bucket';
import { checkUrl } from './url-rules';
import { parseUrlList } from './url-list';

export interface EngineDeps {
  repo: DownloadRepository;
  fs?: FileSystemPort;
  /** Settings for this run only, over the saved ones (the CLI's flags); never saved. */
  overrides?: Partial<Settings>;
  timing?: Partial<Timing>;
  /** Size of the pooled write buffers. */
  bufferSize?: number;
  /** Time for deadlines, retries and checkpoints; tests pass a fake one. */
  clock?: Clock;
  /** Segment bodies through Braid's own receive path (the default), or all through got. */
  receivePath?: boolean;
}

/** Each socket of the receive path reads into one buffer of this size, reused for every read. */
const READ_SIZE = 64 * 1024;

export interface StartOptions {
  /** Run only these downloads (the CLI's `get`); absent means the whole queue. */
  only?: Iterable<number>;
}

const BUFFER_SIZE = 256 * 1024;

/**
 * The engine: a queue of downloads in the store, at most `maxConcurrent` of them running as jobs, and a tick
 * that sends coalesced snapshots to listeners. It implements the BraidApi every face of Braid uses.
 */
export class Engine implements BraidApi {
  private readonly repo: DownloadRepository;
  private readonly fs: FileSystemPort;
  private readonly clock: Clock;
  private readonly timing: Timing;
  private settings: Settings;
  private readonly http: HttpClient;
  private readonly receivePool: ConnectionPool | null;
  private readonly budget: MemoryBudget;
  private readonly pool: BufferPool;
  private readonly globalBucket: TokenBucket;
  private readonly jobs = new Map<number, { job: DownloadJob; done: Promise<JobOutcome> }>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  /** Downloads whose state changed since the last tick and are not running. */
  private readonly dirty = new Set<number>();
  private only: Set<number> | null = null;
  private started = false;
  private closing = false;
  private tick: NodeJS.Timeout | null = null;
  private globalSpeed = 0;
  /** Per-status counts, a full scan of a possibly huge table: refreshed at most once a second. */
  private counts: { at: number; value: Record<DownloadStatus, number> } | null = null;

  constructor(deps: EngineDeps) {
    this.repo = deps.repo;
    this.fs = deps.fs ?? nodeFileSystem;
    this.clock = deps.clock ?? systemClock;
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.settings = mergeSettings(mergeSettings(DEFAULT_SETTINGS, deps.repo.loadSettings()), deps.overrides ?? {});
    this.http = new HttpClient({
      connectMs: this.timing.connectTimeoutMs,
      firstByteMs: this.timing.firstByteTimeoutMs,
      idleSocketMs: this.timing.idleSocketMs,
    });
    this.receivePool =
      deps.receivePath === false
        ? null
        : new ConnectionPool({ connectTimeoutMs: this.timing.connectTimeoutMs, idleTimeoutMs: this.timing.idleSocketMs, readBufferSize: READ_SIZE });
    this.budget = new MemoryBudget(this.settings.memoryBudget);
    const bufferSize = deps.bufferSize ?? BUFFER_SIZE;
    this.pool = new BufferPool(bufferSize, Math.ceil(this.settings.memoryBudget / bufferSize));
    this.globalBucket = new TokenBucket(this.settings.globalSpeedLimit);
  }

  /** Resumes what was running when Braid last stopped (or crashed) and starts the queue. */
  start(options: StartOptions = {}): void {
    if (this.started) return;
    this.started = true;
    this.only = options.only ? new Set(options.only) : null;
    this.repo.requeue('active', null);
    this.tick = setInterval(() => {
      this.emitSnapshot();
      // `braid add` from another process queues into the same database: start it when a slot is free. A run
      // limited to its own downloads (`get`) has nothing to pick up and is pumped as its jobs end.
      if (!this.only && this.jobs.size < this.settings.maxConcurrent) this.pump();
    }, this.timing.tickMs);
    this.pump();
  }

  /** Stops every running download as a shutdown (they resume on the next start), checkpointed. */
  async close(): Promise<void> {
    this.closing = true;
    const running = [...this.jobs.values()];
    for (const { job } of running) job.stop('shutdown');
    await Promise.all(running.map((r) => r.done));
    if (this.tick) clearInterval(this.tick);
    this.tick = null;
    this.emitSnapshot();
    this.http.close();
    this.receivePool?.close();
  }

  // ---- scheduler -----------------------------------------------------------------------------------------

  private pump(): void {
    if (!this.started || this.closing) return;
    const free = this.settings.maxConcurrent - this.jobs.size;
    if (free <= 0) return;
    const exclude = new Set(this.jobs.keys());
    let candidates: DownloadRecord[];
    if (!this.only) {
      candidates = this.repo.nextQueued(free, exclude);
    } else {
      // Walk the queue in run order, a page at a time, keeping only this run's downloads.
      candidates = [];
      for (let offset = 0, page = 256; candidates.length < free && offset < 64 * page; offset += page) {
        const rows = this.repo.nextQueued(page, exclude, offset);
        for (const r of rows) if (this.only.has(r.id) && candidates.length < free) candidates.push(r);
        if (rows.length < page) break;
      }
    }
    for (const record of candidates) this.launch(record);
    if (this.jobs.size === 0) this.pool.release();
  }

  private jobContext(): JobContext {
    return {
      repo: this.repo,
      fs: this.fs,
      clock: this.clock,
      http: this.http,
      budget: this.budget,
      pool: this.pool,
      globalBucket: this.globalBucket,
      timing: this.timing,
      segments: this.settings.segments,
      perDownloadMemory: this.settings.perDownloadMemory,
      receivePool: this.receivePool,
      maxRead: READ_SIZE,
    };
  }

  private launch(record: DownloadRecord): void {
    this.repo.update(record.id, { status: 'active', stopReason: null, error: null });
    const job = new DownloadJob({ ...record, status: 'active' }, this.jobContext());
    const done = job.run().then((outcome) => {
      this.jobs.delete(record.id);
      this.settle(record.id, outcome);
      this.dirty.add(record.id);
      if (outcome.kind === 'completed') this.emit({ type: 'completed', id: record.id, name: outcome.name, path: outcome.path });
      if (outcome.kind === 'failed') this.emit({ type: 'failed', id: record.id, error: outcome.error });
      this.pump();
      return outcome;
    });
    this.jobs.set(record.id, { job, done });
  }

  private settle(id: number, outcome: JobOutcome): void {
    if (outcome.kind === 'completed') {
      this.repo.update(id, { status: 'completed', name: outcome.name, size: outcome.size, bytesDone: outcome.size, completedAt: Date.now(), error: null, stopReason: null, placing: null });
    } else if (outcome.kind === 'failed') {
      this.repo.update(id, { status: 'failed', error: outcome.error, stopReason: null });
    } else {
      this.repo.update(id, { status: outcome.reason === 'user' ? 'paused' : 'queued', stopReason: outcome.reason });
    }
  }

  /** Resolves when none of `ids` is queued or running any more. */
  async whenSettled(ids: Iterable<number>): Promise<void> {
    const wanted = new Set(ids);
    for (;;) {
      const running = [...this.jobs.entries()].filter(([id]) => wanted.has(id)).map(([, r]) => r.done);
      if (running.length > 0) {
        await Promise.race(running);
        continue;
      }
      const waiting = [...wanted].some((id) => this.repo.get(id)?.status === 'queued');
      if (!waiting || this.closing) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // ---- BraidApi ------------------------------------------------------------------------------------------

  async add(requests: AddRequest[]): Promise<AddResult[]> {
    return this.addSync(requests);
  }

  /** Validates and queues in one transaction; bad entries come back as errors, good ones are still added. */
  addSync(requests: AddRequest[]): AddResult[] {
    const results: (AddResult | NewDownload)[] = requests.map((r) => {
      try {
        const url = checkUrl(r.url);
        const mirrors = (r.mirrors ?? []).map(checkUrl);
        if (r.options?.segments !== undefined && (!Number.isInteger(r.options.segments) || r.options.segments < 1 || r.options.segments > 32)) {
          throw new BraidError('INVALID_OPTION', 'segments must be a whole number from 1 to 32');
        }
        return {
          url,
          mirrors,
          folder: resolve(r.folder ?? this.settings.folder),
          requestedName: r.name ?? null,
          options: r.options ?? {},
          status: r.paused ? 'paused' : 'queued',
          stopReason: r.paused ? 'user' : null,
          priority: r.priority ?? 0,
        } satisfies NewDownload;
      } catch (error) {
        const e = error instanceof BraidError ? error : new BraidError('INVALID_URL', String(error));
        return { ok: false as const, url: r.url, error: e.toJSON() };
      }
    });
    const fresh = results.filter((r): r is NewDownload => !('ok' in r));
    const ids = this.repo.insertMany(fresh);
    let next = 0;
    const out = results.map((r) => ('ok' in r ? r : { ok: true as const, id: ids[next++]!, resumed: false }));
    if (this.started) {
      for (const id of ids) this.dirty.add(id);
      if (this.only) for (const id of ids) this.only.add(id);
    }
    this.pump();
    return out;
  }

  async importList(text: string, defaults: { folder?: string; paused?: boolean }): Promise<ImportReport> {
    const report: ImportReport = { added: 0, problems: [], refused: 0 };
    const refuse = (line: number, message: string) => {
      report.refused++;
      if (report.problems.length < 1000) report.problems.push({ line, message });
    };
    async function* lines() {
      yield* text.split(/\r?\n/);
    }
    let batch: { line: number; request: AddRequest }[] = [];
    const flush = () => {
      const results = this.addSync(batch.map((b) => b.request));
      results.forEach((r, i) => (r.ok ? report.added++ : refuse(batch[i]!.line, r.error.message)));
      batch = [];
    };
    for await (const item of parseUrlList(lines())) {
      if (item.kind === 'problem') refuse(item.line, item.message);
      else batch.push({ line: item.line, request: { ...item.request, folder: item.request.folder ?? defaults.folder, paused: defaults.paused } });
      if (batch.length >= 1000) flush();
    }
    flush();
    return report;
  }

  /**
   * The unfinished download of `url` into `folder` (and name), queued again, or null: how running the same
   * `braid get` twice resumes instead of starting a copy.
   */
  requeueUnfinished(url: string, folder: string, name: string | null): number | null {
    const found = this.repo.findUnfinished(checkUrl(url), resolve(folder), name);
    if (!found) return null;
    if (found.status !== 'active') this.repo.update(found.id, { status: 'queued', stopReason: null, error: null });
    if (this.only) this.only.add(found.id);
    return found.id;
  }

  async pause(ids: number[]): Promise<void> {
    const stopping: Promise<JobOutcome>[] = [];
    for (const id of ids) {
      const running = this.jobs.get(id);
      if (running) {
        running.job.stop('user');
        stopping.push(running.done);
      } else if (this.repo.get(id)?.status === 'queued') {
        this.repo.update(id, { status: 'paused', stopReason: 'user' });
        this.dirty.add(id);
      }
    }
    await Promise.all(stopping);
  }

  async resume(ids: number[]): Promise<void> {
    for (const id of ids) {
      const rec = this.repo.get(id);
      if (rec && (rec.status === 'paused' || rec.status === 'failed')) {
        this.repo.update(id, { status: 'queued', stopReason: null, error: null });
        this.dirty.add(id);
        this.only?.add(id);
      }
    }
    this.pump();
  }

  retry(ids: number[]): Promise<void> {
    return this.resume(ids);
  }

  async remove(ids: number[], options: { deleteFile: boolean }): Promise<void> {
    const records = ids.map((id) => this.repo.get(id)).filter((r): r is DownloadRecord => r !== null);
    await Promise.all(
      records.map(async (r) => {
        const running = this.jobs.get(r.id);
        if (running) {
          running.job.stop('user');
          await running.done;
        }
      }),
    );
    this.repo.remove(records.map((r) => r.id));
    if (options.deleteFile) {
      for (const r of records) {
        if (!r.name) continue;
        await rm(join(r.folder, `${r.name}.part`), { force: true });
        if (r.status === 'completed') await rm(join(r.folder, r.name), { force: true });
      }
    }
    for (const r of records) this.only?.delete(r.id);
    this.emit({ type: 'removed', ids: records.map((r) => r.id) });
    this.pump();
  }

  async move(id: number, direction: 'up' | 'down' | 'top' | 'bottom'): Promise<void> {
    this.repo.move(id, direction);
    this.dirty.add(id);
  }

  async list(query: ListQuery): Promise<ListPage> {
    const page = this.repo.list(query);
    return { total: page.total, items: page.items.map((r) => this.snapshotOf(r)) };
  }

  async detail(id: number) {
    const record = this.repo.get(id);
    return record ? { record, segments: this.repo.segments(id) } : null;
  }

  async open(): Promise<void> {
    throw new BraidError('INVALID_OPTION', 'opening files is available in the desktop app only');
  }

  /** Where a completed download's file is, from the store; null when it is not completed. */
  completedPath(id: number): string | null {
    const r = this.repo.get(id);
    return r && r.status === 'completed' && r.name ? join(r.folder, r.name) : null;
  }

  async getSettings(): Promise<Settings> {
    return { ...this.settings };
  }

  async setSettings(patch: Partial<Settings>): Promise<Settings> {
    this.settings = mergeSettings(this.settings, patch);
    this.repo.saveSettings(this.settings);
    this.globalBucket.setRate(this.settings.globalSpeedLimit);
    this.budget.limit = this.settings.memoryBudget;
    this.pump();
    return { ...this.settings };
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- events --------------------------------------------------------------------------------------------

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private snapshotOf(record: DownloadRecord): DownloadSnapshot {
    const running = this.jobs.get(record.id);
    if (running) return running.job.snapshot();
    return {
      id: record.id,
      url: record.url,
      name: record.name,
      folder: record.folder,
      status: record.status,
      size: record.size,
      bytesDone: record.bytesDone,
      speed: 0,
      eta: null,
      connections: 0,
      memory: { inFlight: 0, cap: this.settings.perDownloadMemory },
      segments: record.status === 'completed' || record.size === null ? [] : this.repo.segments(record.id),
      error: record.error,
      priority: record.priority,
      position: record.position,
    };
  }

  /** One coalesced event per tick: every running download plus those that changed state. */
  private emitSnapshot(): void {
    const now = performance.now();
    const downloads: DownloadSnapshot[] = [];
    let speed = 0;
    let inFlight = 0;
    for (const { job } of this.jobs.values()) {
      job.sampleSpeed(now);
      const snap = job.snapshot();
      speed += snap.speed;
      inFlight += snap.memory.inFlight;
      downloads.push(snap);
    }
    for (const id of this.dirty) {
      if (this.jobs.has(id)) continue;
      const record = this.repo.get(id);
      if (record) downloads.push(this.snapshotOf(record));
    }
    this.dirty.clear();
    this.globalSpeed = speed;
    if (this.listeners.size === 0) return;
    if (!this.counts || now - this.counts.at > 1000 || downloads.some((d) => d.status !== 'active')) {
      this.counts = { at: now, value: this.repo.countByStatus() };
    }
    const counts = this.counts.value;
    const memory = process.memoryUsage();
    this.emit({
      type: 'snapshot',
      downloads,
      global: {
        speed,
        inFlight,
        memoryBudget: this.budget.limit,
        active: this.jobs.size,
        queued: counts.queued,
        counts,
        process: { rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal },
      },
    });
  }

  /** Engine-wide figures for leak checks and benchmarks. */
  stats(): { running: number; sockets: number; reservedMemory: number; peakInFlight: number; globalSpeed: number } {
    return {
      running: this.jobs.size,
      sockets: this.http.socketCount() + (this.receivePool?.openSockets ?? 0),
      reservedMemory: this.budget.reserved,
      peakInFlight: this.budget.peakInFlight,
      globalSpeed: this.globalSpeed,
    };
  }

  /** The job of a running download, for tests that look at its memory. */
  runningJob(id: number): DownloadJob | undefined {
    return this.jobs.get(id)?.job;
  }
}

export function createEngine(deps: EngineDeps): Engine {
  return new Engine(deps);
}
