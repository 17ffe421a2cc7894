import { join } from 'node:path';
import type { BraidApi } from '../../shared/api';
import type { BrowserName } from '../../shared/browser-bridge';
import type { DesktopShell, EngineDeps, StartOptions } from './engine-deps';
import type {
  AddRequest,
  AddResult,
  ArmedCatch,
  DownloadOptions,
  DownloadRecord,
  EngineEvent,
  ImportReport,
  ListPage,
  ListQuery,
  RefreshResult,
  PreviewResult,
  Settings,
} from '../../shared/types';
import { BufferPools } from './buffer-pool';
import { DownloadJob } from './download-job';
import type { JobContext } from './job-context';
import { BraidError } from './errors';
import { EventHub } from './event-hub';
import { HttpClient } from './http-client';
import { HostLimits } from './host-limits';
import { ProxyRouter } from './proxy/proxy-router';
import { ConnectionPool } from './receive/connection-pool';
import { MemoryBudget } from './memory-budget';
import { nodeFileSystem } from './part-file';
import type { Clock, DownloadRepository, FileSystemPort, NewDownload } from './ports';
import { refreshable, refreshLink, type RefreshOptions } from './refresh-link';
import { LinkCatcher, offerToCatch } from './link-catch';
import { reportOnce } from './report-once';
import { Scheduler } from './scheduler';
import { checkMemoryCaps, DEFAULT_SETTINGS, DEFAULT_TIMING, mergeSettings, type Timing } from './settings';
import { systemClock } from './system-clock';
import { TokenBucket } from './token-bucket';
import { TransferMemory } from './transfer-memory';
import { importUrlList } from './list-import';
import { toNewDownload } from './add-request';
import { maskOptions } from '../../shared/header-mask';
import { previewUrls } from './preview';
import { deleteRemovedFiles } from './removed-files';
import { findEarlierRun, optionsGivenAgain, type EarlierRun } from './run-again';
import { keepYoungGenerationSmall } from './young-generation';

/** Each socket of the receive path reads into one buffer of this size, reused for every read. */
const READ_SIZE = 64 * 1024;

/**
 * The engine's facade, the BraidApi every face of Braid uses: it validates and queues, and hands running to the
 * scheduler and events to the hub. A tick sends the coalesced snapshot and, when the whole queue runs, starts
 * what another process (`braid add`) queued.
 */
export class Engine implements BraidApi {
  private readonly repo: DownloadRepository;
  private readonly fs: FileSystemPort;
  private readonly timing: Timing;
  private settings: Settings;
  private readonly clock: Clock;
  private readonly http: HttpClient;
  private readonly receivePool: ConnectionPool | null;
  private readonly budget: MemoryBudget;
  private readonly pools: BufferPools;
  private readonly memory: TransferMemory;
  private readonly globalBucket: TokenBucket;
  private readonly shell: DesktopShell | undefined;
  private readonly hub: EventHub;
  private readonly scheduler: Scheduler<DownloadJob>;
  private readonly hosts: HostLimits;
  private readonly proxies: ProxyRouter;
  private readonly catcher: LinkCatcher;
  private tick: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  /** Body bytes received over every download since the engine was made: what a run transferred. */
  private readonly received = { bytes: 0 };

  constructor(deps: EngineDeps) {
    this.repo = deps.repo;
    this.fs = deps.fs ?? nodeFileSystem;
    this.clock = deps.clock ?? systemClock;
    this.shell = deps.shell;
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.settings = mergeSettings(mergeSettings(DEFAULT_SETTINGS, deps.repo.loadSettings()), deps.overrides ?? {});
    const { connectTimeoutMs: connectMs, firstByteTimeoutMs: firstByteMs, idleSocketMs } = this.timing;
    this.http = new HttpClient({ connectMs, firstByteMs, idleSocketMs });
    this.receivePool =
      deps.receivePath === false
        ? null
        : new ConnectionPool({ connectTimeoutMs: this.timing.connectTimeoutMs, idleTimeoutMs: this.timing.idleSocketMs, readBufferSize: READ_SIZE });
    this.hosts = new HostLimits({
      store: this.repo,
      clock: this.clock,
      caps: () => ({ perServer: this.settings.maxConnectionsPerServer, total: this.settings.maxConnections }),
      stepUpAfterMs: this.timing.hostLimitStepUpMs,
      learn: this.timing.learnHostLimits,
    });
    this.proxies = new ProxyRouter(() => this.settings, deps.systemProxy ?? null);
    this.budget = new MemoryBudget(this.settings.memoryBudget);
    this.pools = new BufferPools(() => this.settings.memoryBudget, deps.bufferSize);
    this.memory = new TransferMemory(this.pools, this.receivePool, READ_SIZE);
    this.globalBucket = new TokenBucket(this.settings.globalSpeedLimit);
    this.hub = new EventHub(this.repo, {
      sample: (now) =>
        [...this.scheduler.runningJobs()].map((job) => {
          job.sampleSpeed(now);
          return job.snapshot();
        }),
      live: (id) => this.scheduler.running(id)?.snapshot(),
      storeProblem: () => this.scheduler.storeProblem,
      memory: () => {
        this.memory.peak();
        return { perDownload: this.settings.perDownloadMemory, budget: this.budget.limit, held: this.memory.held() };
      },
    });
    this.catcher = new LinkCatcher((change) => this.hub.emit({ type: 'catch', catch: change }), this.timing.linkCatchMs, () => this.clock.wallTime());
    this.scheduler = new Scheduler({
      repo: this.repo,
      hub: this.hub,
      createJob: (record) => new DownloadJob(record, this.jobContext()),
      maxConcurrent: () => this.settings.maxConcurrent,
      onIdle: () => this.pools.release(),
    });
  }

  /** Resumes what was running when Braid last stopped (or crashed) and starts the queue. */
  start(options: StartOptions = {}): void {
    if (this.scheduler.isStarted) return;
    this.scheduler.start(options.only);
    this.tick = setInterval(() => this.onTick(), this.timing.tickMs);
    keepYoungGenerationSmall();
  }

  private onTick(): void {
    try {
      this.hub.tick();
      for (const job of this.scheduler.runningJobs()) job.shareServer();
      // `braid add` from another process queues into the same database: start it when a slot is free. A run
      // limited to its own downloads (`get`) is pumped as its jobs end, and here too (one indexed query), so a
      // pump that failed once does not leave its downloads waiting.
      if (this.scheduler.runningCount < this.settings.maxConcurrent) this.scheduler.pump();
    } catch (error) {
      reportOnce('the engine tick failed', error);
    }
  }

  /**
   * Stops every running download as a shutdown (they resume on the next start), checkpointed. Whatever fails on
   * the way, the tick is cleared and the connections closed. Closing again waits for the same close: an interrupt
   * and the end of a run may both ask for it.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.catcher.close();
    try {
      await this.scheduler.close();
    } finally {
      if (this.tick) clearInterval(this.tick);
      this.tick = null;
      try {
        this.hub.tick();
      } catch (error) {
        reportOnce('the last snapshot failed', error);
      }
      this.http.close();
      this.receivePool?.close();
    }
  }

  private jobContext(): JobContext {
    return {
      repo: this.repo,
      fs: this.fs,
      clock: this.clock,
      http: this.http,
      budget: this.budget,
      pools: this.pools,
      globalBucket: this.globalBucket,
      timing: this.timing,
      segments: this.settings.segments,
      perDownloadMemory: this.settings.perDownloadMemory,
      receivePool: this.receivePool,
      maxRead: READ_SIZE,
      hosts: this.hosts,
      proxies: this.proxies,
      received: this.received,
    };
  }

  /** Resolves when none of `ids` is queued or running any more. */
  whenSettled(ids: Iterable<number>): Promise<void> {
    return this.scheduler.whenSettled(ids);
  }

  /** What was thrown when a download of this run could not be started (a store that cannot be written), if so. */
  startFailure(id: number): unknown {
    return this.scheduler.startFailure(id);
  }

  // ---- BraidApi ------------------------------------------------------------------------------------------

  async add(requests: AddRequest[]): Promise<AddResult[]> {
    return this.addSync(requests);
  }

  /** Validates and queues in one transaction; bad entries come back as errors, good ones are still added. */
  addSync(requests: AddRequest[]): AddResult[] {
    const results = requests.map((r) => toNewDownload(r, this.settings));
    const fresh = results.filter((r): r is NewDownload => !('ok' in r));
    const ids = this.repo.insertMany(fresh);
    let next = 0;
    const out = results.map((r) => ('ok' in r ? r : { ok: true as const, id: ids[next++]!, resumed: false }));
    if (this.scheduler.isStarted) {
      this.hub.changed(ids);
      this.scheduler.include(ids);
    }
    this.scheduler.pump();
    return out;
  }

  preview(urls: string[]): Promise<PreviewResult[]> {
    const clients = { http: this.http, receivePool: this.receivePool, firstByteTimeoutMs: this.timing.firstByteTimeoutMs, proxyFor: (to: string) => this.proxies.route(to, undefined) };
    return previewUrls({ clients, findByUrl: (url) => this.repo.findByUrl(url) }, urls);
  }

  importList(text: string, defaults: { folder?: string; paused?: boolean }): Promise<ImportReport> {
    return importUrlList(text, defaults, (requests) => this.addSync(requests));
  }

  /** What an earlier run of the same command left of this download: see run-again.ts. */
  findEarlierRun(request: { url: string; folder: string; name: string | null; options: DownloadOptions }, onCheck?: (path: string, size: number) => void): Promise<EarlierRun | null> {
    return findEarlierRun(this.repo, this.fs, request, onCheck);
  }

  /** Queues an unfinished download again, with the options the command that asks for it again gives. */
  requeueUnfinished(record: DownloadRecord, given: DownloadOptions): void {
    const options = optionsGivenAgain(record, given);
    if (options) this.repo.update(record.id, { options });
    this.scheduler.requeue(record);
  }

  pause(ids: number[]): Promise<void> {
    return this.scheduler.pause(ids);
  }

  async resume(ids: number[]): Promise<void> {
    // A download that runs again is not waiting for a link from the browser any more.
    for (const id of ids) this.catcher.cancel(id);
    this.scheduler.resume(ids);
  }

  retry(ids: number[]): Promise<void> {
    return this.resume(ids);
  }

  /** A new URL for a download that is not running, proven to serve the same file first (or starting over); then it is queued. */
  async refreshLink(id: number, url: string, options: { startOver?: boolean; headers?: Record<string, string> }): Promise<RefreshResult> {
    this.catcher.cancel(id);
    return this.refresh(id, url, options);
  }

  private async refresh(id: number, url: string, options: RefreshOptions): Promise<RefreshResult> {
    const deps = { repo: this.repo, fs: this.fs, clock: this.clock, http: this.http, receivePool: this.receivePool, firstByteTimeoutMs: this.timing.firstByteTimeoutMs, proxyFor: (to: string, own: string | undefined) => this.proxies.route(to, own) };
    const result = await refreshLink(deps, id, url, options);
    this.hub.changed([id]);
    this.scheduler.resume([id]);
    return result;
  }

  /**
   * Waits for the browser's next matching download to become this paused or failed download's link. A queued one
   * is not armed: it may start with its old link before the browser answers.
   */
  async catchLink(id: number): Promise<ArmedCatch> {
    const record = refreshable(this.repo.get(id), id);
    if (record.status === 'queued') throw new BraidError('INVALID_OPTION', `download #${id} is queued: pause it, then catch its new link`);
    return this.catcher.arm(id);
  }

  async cancelCatch(id: number): Promise<void> {
    this.catcher.cancel(id);
  }

  /** The browser extension's downloads, from the handoff socket: offered to an armed link catch first (see offerToCatch). */
  async takeFromBrowser(requests: AddRequest[], sizes: readonly (number | null)[]): Promise<AddResult[]> {
    return offerToCatch(
      {
        catcher: this.catcher,
        record: (id) => this.repo.get(id),
        add: (rest) => this.addSync(rest),
        refresh: (id, url, options) => this.refresh(id, url, options),
        proofDeadlineMs: this.timing.linkCatchProofMs,
      },
      requests,
      sizes,
    );
  }

  async remove(ids: number[], options: { deleteFile: boolean }): Promise<void> {
    const records = ids.map((id) => this.repo.get(id)).filter((r): r is DownloadRecord => r !== null);
    const found = records.map((r) => r.id);
    await this.scheduler.forget(found);
    for (const id of found) this.catcher.cancel(id);
    this.repo.remove(found);
    await deleteRemovedFiles(records, options.deleteFile);
    this.hub.emit({ type: 'removed', ids: found });
    this.scheduler.pump();
  }

  async move(id: number, direction: 'up' | 'down' | 'top' | 'bottom'): Promise<void> {
    this.repo.move(id, direction);
    this.hub.orderChanged();
  }

  async list(query: ListQuery): Promise<ListPage> {
    const page = this.repo.list(query);
    return { total: page.total, items: page.items.map((r) => this.hub.snapshotOf(r)) };
  }

  async detail(id: number) {
    const record = this.repo.get(id);
    // Cookies, keys and proxy passwords a download carries stay in the engine: a face shows their names, never their values.
    return record ? { record: { ...record, options: maskOptions(record.options) }, segments: this.repo.segments(id) } : null;
  }

  /** Opens a completed download's file or its folder through the host's shell; refused without one. */
  async open(id: number, what: 'file' | 'folder'): Promise<void> {
    if (!this.shell) throw new BraidError('INVALID_OPTION', 'opening files is available in the desktop app only');
    const path = this.completedPath(id);
    if (!path) throw new BraidError('INVALID_OPTION', 'only a completed download can be opened');
    if (what === 'folder') return this.shell.showInFolder(path);
    const problem = await this.shell.openFile(path);
    if (problem) throw new BraidError('FILE_ERROR', `cannot open the file: ${problem}`);
  }

  /** The system's folder dialog, through the host's shell; refused without one (a browser types the folder). */
  async chooseFolder(start: string): Promise<string | null> {
    if (!this.shell) throw new BraidError('INVALID_OPTION', 'choosing a folder is available in the desktop app only');
    return this.shell.chooseFolder(start);
  }

  /** The browser extension's host, registered by the app for itself; refused without a desktop shell. */
  async browserHost(browser: BrowserName, action: 'install' | 'uninstall'): Promise<string> {
    if (!this.shell) throw new BraidError('INVALID_OPTION', 'the desktop app registers itself with a browser; on the command line use `braid browser-host install`');
    return this.shell.browserHost(browser, action);
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
    const next = mergeSettings(this.settings, patch);
    checkMemoryCaps(next);
    this.settings = next;
    this.repo.saveSettings(this.settings);
    this.globalBucket.setRate(this.settings.globalSpeedLimit);
    this.budget.limit = this.settings.memoryBudget;
    this.budget.serve(); // a larger budget may let waiting readers go on
    this.hosts.serve(); // and higher connection caps waiting connections
    this.scheduler.pump();
    return { ...this.settings };
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    return this.hub.on(listener);
  }

  /** Engine-wide figures for leak checks and benchmarks. */
  stats(): { running: number; sockets: number; reservedMemory: number; peakInFlight: number; globalSpeed: number; receivedBytes: number } {
    return {
      running: this.scheduler.runningCount,
      sockets: this.http.socketCount() + (this.receivePool?.openSockets ?? 0),
      reservedMemory: this.budget.reserved,
      peakInFlight: this.memory.peak(),
      globalSpeed: this.hub.globalSpeed,
      receivedBytes: this.received.bytes,
    };
  }

  /** The job of a running download, for tests that look at its memory. */
  runningJob(id: number): DownloadJob | undefined {
    return this.scheduler.running(id);
  }
}

export function createEngine(deps: EngineDeps): Engine {
  return new Engine(deps);
}
