import type { DownloadRecord, DownloadSnapshot, DownloadStatus, EngineEvent } from '../../shared/types';
import type { DownloadRepository } from './ports';

/** Changed downloads (not running) a snapshot carries at most; beyond this it says "the list changed". */
export const MAX_CHANGED_IN_SNAPSHOT = 200;
/** Seconds of the global speed and memory kept for a face that opens late. */
const RECENT_SECONDS = 60;

/** What the hub needs to know about running downloads. */
export interface RunningView {
  /** Snapshots of the running downloads, their speed sampled at `now`. */
  sample(now: number): DownloadSnapshot[];
  /** The live snapshot of a running download, or undefined when it is not running. */
  live(id: number): DownloadSnapshot | undefined;
  /** Memory cap of a download that is not running, and the global budget, for the snapshot. */
  /** Caps, and what Braid's transfer buffers hold now (all downloads, idle pooled buffers included). */
  memory(): { perDownload: number; budget: number; held: number };
  /** Why the store refuses writes now, or null. */
  storeProblem(): string | null;
}

type Listener = (event: EngineEvent) => void;

/**
 * The engine's events: listeners, and the snapshot sent once per tick (every running download, plus the few that
 * changed state; when many changed at once, a flag that says "page again" instead of the rows). A listener that
 * throws is reported once and does not keep the others from their events.
 */
export class EventHub {
  private readonly listeners = new Set<Listener>();
  private readonly reported = new WeakSet<Listener>();
  /** Downloads that changed since the last tick, up to the bound. */
  private readonly dirty = new Set<number>();
  private overflow = false;
  /** Per-status counts, a full scan of a possibly huge table: refreshed at most once a second. */
  private counts: { at: number; value: Record<DownloadStatus, number> } | null = null;
  /** Bytes per second over all downloads, as of the last tick. */
  globalSpeed = 0;
  /** The last minute of the global speed and of what the transfer buffers hold, a sample a second. */
  private readonly recent = { speed: [] as number[], inFlight: [] as number[], at: -Infinity };
  /** A listener joined since the last snapshot: the next one carries the last minute. */
  private joined = false;

  constructor(
    private readonly repo: DownloadRepository,
    private readonly running: RunningView,
  ) {}

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    this.joined = true;
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        if (this.reported.has(listener)) continue;
        this.reported.add(listener);
        process.stderr.write(`braid: an event listener failed (reported once): ${(error as Error)?.stack ?? String(error)}\n`);
      }
    }
  }

  /** The queue's order changed (a download moved): the next snapshot says the list changed, for every face. */
  orderChanged(): void {
    this.overflow = true;
    this.dirty.clear();
  }

  /** Notes that these downloads changed; the next snapshot carries them, or says the list changed. */
  changed(ids: Iterable<number>): void {
    if (this.overflow) return;
    for (const id of ids) {
      this.dirty.add(id);
      if (this.dirty.size > MAX_CHANGED_IN_SNAPSHOT) {
        this.overflow = true;
        this.dirty.clear();
        return;
      }
    }
  }

  /** A download as the UI draws it: live when it runs, else from its record. */
  snapshotOf(record: DownloadRecord): DownloadSnapshot {
    return this.running.live(record.id) ?? storedSnapshot(record, this.repo, this.running.memory().perDownload);
  }

  /** Builds and sends the tick's snapshot (only the speed is kept when nobody listens). */
  tick(): void {
    const now = performance.now();
    const downloads = this.running.sample(now);
    const speed = downloads.reduce((sum, d) => sum + d.speed, 0);
    const active = downloads.length;
    const listChanged = this.overflow;
    const dirty = [...this.dirty];
    this.dirty.clear();
    this.overflow = false;
    this.globalSpeed = speed;
    const held = this.running.memory();
    const sampled = now - this.recent.at >= 1000;
    if (sampled) this.sampleSecond(now, speed, held.held);
    if (this.listeners.size === 0) return;
    for (const id of dirty) {
      if (this.running.live(id)) continue;
      const record = this.repo.get(id);
      if (record) downloads.push(this.snapshotOf(record));
    }
    if (!this.counts || now - this.counts.at > 1000 || listChanged || downloads.some((d) => d.status !== 'active')) {
      this.counts = { at: now, value: this.repo.countByStatus() };
    }
    const counts = this.counts.value;
    const memory = process.memoryUsage();
    this.emit({
      type: 'snapshot',
      downloads,
      global: {
        speed,
        // What Braid's transfer buffers hold, not the sum of the bytes in them: the memory it really takes.
        inFlight: held.held,
        memoryBudget: held.budget,
        active,
        queued: counts.queued,
        counts,
        process: { rss: memory.rss, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal },
        storeProblem: this.running.storeProblem(),
        ...(sampled || this.joined ? { recent: { speed: [...this.recent.speed], inFlight: [...this.recent.inFlight] } } : {}),
      },
      ...(listChanged ? { listChanged: true } : {}),
    });
    this.joined = false;
  }

  private sampleSecond(now: number, speed: number, inFlight: number): void {
    const { recent } = this;
    recent.at = now;
    recent.speed.push(speed);
    recent.inFlight.push(inFlight);
    // Pushed together, so they are always as long as each other.
    if (recent.speed.length > RECENT_SECONDS) {
      recent.speed.shift();
      recent.inFlight.shift();
    }
  }
}

function storedSnapshot(record: DownloadRecord, repo: DownloadRepository, cap: number): DownloadSnapshot {
  return {
    id: record.id,
    url: record.url,
    name: record.name ?? record.requestedName,
    folder: record.folder,
    status: record.status,
    size: record.size,
    bytesDone: record.bytesDone,
    speed: 0,
    eta: null,
    connections: 0,
    memory: { inFlight: 0, cap },
    segments: record.status === 'completed' || record.size === null ? [] : repo.segments(record.id),
    error: record.error,
    priority: record.priority,
    position: record.position,
    linkRefresh: record.linkRefresh,
  };
}
