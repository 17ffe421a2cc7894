import type { ConnectionWait } from '../../shared/types';
import { serverOf, type HostLimits, type HostSlot } from './host-limits';
import type { LiveSegment } from './live-segment';
import type { SegmentScheduler } from './segment-scheduler';

/** A download gives a connection to another one waiting for its server only when it has longer than this left. */
const HANDOVER_AFTER_SECONDS = 3;
/** Where a handover cuts, past what a segment has counted: more than one read, or one chunk of got's, brings. */
const HANDOVER_AHEAD = 128 * 1024;

/**
 * One download's connections to its server: the slots it waits for and holds (`HostLimits`), how many of them work
 * on a segment, what its snapshot says while all of them wait, and its part in sharing the server with the other
 * downloads (`HostLimits.overShare`).
 */
export class ServerConnections {
  /** Connections working on a segment now. */
  working = 0;
  /** Connections waiting for a slot to the server. */
  private waiting = 0;
  /** The segment cut for a connection to give back, until that connection lets go of it. */
  private cut: LiveSegment | null = null;

  constructor(
    private readonly hosts: HostLimits,
    private readonly download: number,
  ) {}

  /** A slot to the server of `url`, counted while it is awaited: a download whose every connection waits says why. */
  async slotTo(url: string, signal: AbortSignal): Promise<HostSlot> {
    this.waiting++;
    try {
      return await this.hosts.acquire(serverOf(url), signal, this.download);
    } finally {
      this.waiting--;
    }
  }

  /** Why nothing of this download moves: its every connection waits for `server`. Null while one works. */
  waitFor(server: string): ConnectionWait | null {
    return this.working === 0 && this.waiting > 0 ? this.hosts.fullness(server) : null;
  }

  /**
   * Looked at once per engine tick (`speed`: the download's smoothed bytes per second). While another download
   * waits for the server holding fewer, a segment is cut just past where it stands, and its connection queues
   * again once it stops. One at a time, and only while this download would hold the server a while yet: a handover
   * costs a new request, and a download about to end frees its connections anyway.
   */
  share(segments: SegmentScheduler, server: string, speed: number): void {
    if (this.cut?.active || !segments.ranged) return;
    this.cut = null;
    // Until its speed is known (its first fraction of a second) a download is not judged; nobody waiting, no sum.
    if (speed === 0 || !this.hosts.overShare(server, this.download)) return;
    const left = segments.segments.reduce((sum, s) => sum + Math.max(0, s.end - s.position), 0);
    if (left >= HANDOVER_AFTER_SECONDS * speed) this.cut = segments.cutForHandover(HANDOVER_AHEAD);
  }
}
