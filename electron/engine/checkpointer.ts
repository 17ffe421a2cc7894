import type { Clock, DownloadPatch, DownloadRepository, PartFileHandle } from './ports';
import type { SegmentScheduler } from './segment-scheduler';
import type { SegmentSink } from './segment-sink';

export interface CheckpointSource {
  readonly id: number;
  file(): PartFileHandle | null;
  readonly segments: SegmentScheduler;
  readonly sinks: ReadonlySet<SegmentSink>;
  /** Whether finished neighbouring segments may be merged in the store (not while seams must be verified). */
  mergeFinished(): boolean;
  /** Fields to commit with the offsets (retries, a size learnt at the end of an unknown-length body). */
  extra(): DownloadPatch;
}

export interface Cadence {
  afterReceive(): void;
  cancel(): void;
}

/**
 * Makes progress durable in the one order that never lies: the file is synced first, then every segment's
 * written offset is committed in one transaction. Checkpoints run one after another, never two at once.
 */
export class Checkpointer {
  private running: Promise<void> | null = null;
  /** Bytes the store holds as done; a checkpoint with nothing new skips the sync. */
  committed = -1;

  constructor(
    private readonly repo: DownloadRepository,
    private readonly source: CheckpointSource,
  ) {}

  get busy(): boolean {
    return this.running !== null;
  }

  /**
   * Checkpoints during a transfer: every `everyMs`, and early once `everyBytes` arrived since the last one
   * started. A fast download then never holds more than that unsynced, so the disk writes while the network
   * reads and the sync at the end is short. `received` counts the download's bytes; `afterReceive` is called
   * after each read's bytes are counted. A checkpoint that fails hands its error to `fail`.
   */
  cadence(clock: Clock, everyMs: number, everyBytes: number, received: () => number, fail: (error: unknown) => void): Cadence {
    let startedAt = received();
    const start = () => {
      if (this.busy) return;
      startedAt = received();
      this.checkpoint().catch(fail);
    };
    const timer = clock.every(everyMs, start);
    return {
      afterReceive: () => {
        if (received() - startedAt >= everyBytes) start();
      },
      cancel: () => timer.cancel(),
    };
  }

  /** Queues a checkpoint after the one running, if any; resolves when it is committed. */
  checkpoint(): Promise<void> {
    const previous = this.running ?? Promise.resolve();
    const next = previous.then(() => this.commit());
    this.running = next;
    const clear = () => {
      if (this.running === next) this.running = null;
    };
    next.then(clear, clear);
    return next;
  }

  private async commit(): Promise<void> {
    const file = this.source.file();
    if (!file || this.source.segments.segments.length === 0) return;
    // Half-filled buffers of quiet connections would otherwise hold memory and progress back.
    for (const sink of this.source.sinks) sink.flushIdle();
    const segments = this.source.segments.written(this.source.mergeFinished());
    const bytesDone = segments.reduce((sum, s) => sum + s.done, 0);
    if (bytesDone === this.committed) return;
    await file.datasync();
    this.repo.saveProgress(this.source.id, segments, { bytesDone, ...this.source.extra() });
    this.committed = bytesDone;
  }
}
