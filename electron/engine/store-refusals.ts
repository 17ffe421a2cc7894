import type { DownloadStatus } from '../../shared/types';
import { storeTroubleText } from '../../shared/store-words';
import type { DownloadPatch } from './ports';

/** How long a whole-queue download whose start the store refused is passed over before it is tried again. */
const REFUSED_START_PAUSE_MS = 5000;

/** One status change, as the transition table allows it. */
export interface StatusChange {
  from: DownloadStatus;
  to: DownloadStatus;
  patch: Omit<DownloadPatch, 'status'>;
  /** Where a completed download's file is. */
  path?: string;
}

/** A download whose end the store refused, queued again to run once it takes writes (as after a shutdown). */
const AGAIN_LATER: StatusChange = { from: 'active', to: 'queued', patch: { stopReason: 'shutdown' } };

/**
 * What the state database refused to write (its disk full, a damaged page) while it refuses: the ends still to be
 * written, the starts passed over for a while, and why, which the window shows while downloads wait on it.
 */
export class StoreRefusals {
  /**
   * Status changes the store refused for downloads no job runs any more: written again at each pump, so none
   * stays `active` with nothing running it once the store takes writes again. One that is never taken stays
   * `active` until the next start requeues it, as after a crash.
   */
  readonly unwritten = new Map<number, StatusChange>();
  /**
   * Whole-queue downloads whose start the store refused even to record, and when: passed over for
   * REFUSED_START_PAUSE_MS, so one row the store cannot write does not hold up the queue behind it.
   */
  private readonly refusedStarts = new Map<number, number>();
  /**
   * Downloads already queued again once because the store refused to write their failure: a second such failure
   * is kept as a failure, so a row whose failure the store never takes cannot run again and again.
   */
  private readonly takenAgain = new Set<number>();
  /** Why the store last refused a write, until one is taken again. */
  private refusal: string | null = null;

  /** Why downloads wait on the store, while some do: a start it refused lately, or an end still unwritten. */
  get problem(): string | null {
    return this.pruneStarts() > 0 || this.unwritten.size > 0 ? this.refusal : null;
  }

  refused(error: unknown): void {
    this.refusal = storeTroubleText(error);
  }

  /**
   * A write went through: whatever was shown of a refusal is over, unless an end is still waiting to be written or
   * a start refused lately still waits to be tried again (another download's write going through does not run it).
   */
  taken(): void {
    if (this.unwritten.size === 0 && this.pruneStarts() === 0) this.refusal = null;
  }

  startRefused(id: number): void {
    this.refusedStarts.set(id, Date.now());
  }

  startTaken(id: number): void {
    this.refusedStarts.delete(id);
  }

  /**
   * Whole-queue downloads whose start was refused a moment ago; older refusals are forgotten, so one waiting only
   * for a free slot, with the store taking writes again, is not said to wait on the store.
   */
  recentStarts(): number[] {
    this.pruneStarts();
    return [...this.refusedStarts.keys()];
  }

  /** Forgets refused starts past their pause; how many are left. */
  private pruneStarts(): number {
    const now = Date.now();
    for (const [id, at] of this.refusedStarts) if (now - at >= REFUSED_START_PAUSE_MS) this.refusedStarts.delete(id);
    return this.refusedStarts.size;
  }

  /** What to write for a failure the store refused: in the whole queue, queued again, once per download. */
  failedEnd(id: number, failure: StatusChange, wholeQueue: boolean): StatusChange {
    if (!wholeQueue || this.takenAgain.has(id)) return failure;
    this.takenAgain.add(id);
    return AGAIN_LATER;
  }
}
