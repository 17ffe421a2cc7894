import { formatBytes, formatRate } from '../../shared/format';
import { BraidError, trickleError } from './errors';

/**
 * Watches one connection's body for a server that has gone quiet or sends a trickle too slow to ever
 * finish (a slow-loris answer keeps a connection "alive" with a byte now and then). Time the connection
 * spends waiting on Braid — its disk, memory budget or speed limit — is not held against the server.
 */
export class ReceiveWatch {
  private lastDataAt: number;
  private windowStart: number;
  private windowBytes = 0;
  /** Our own waiting inside the current window. */
  private ourWaitMs = 0;
  private ourWaitSince: number | null = null;

  constructor(
    readonly controller: AbortController,
    now: number,
  ) {
    this.lastDataAt = now;
    this.windowStart = now;
  }

  /** Bytes arrived; until `ready`, the connection waits on Braid (writing them, pacing), not on the server. */
  received(bytes: number, now: number): void {
    this.windowBytes += bytes;
    this.ourWaitSince = now;
  }

  /** Braid is ready to read again: from here the server is on the clock. */
  ready(now: number): void {
    if (this.ourWaitSince !== null) this.ourWaitMs += now - this.ourWaitSince;
    this.ourWaitSince = null;
    this.lastDataAt = now;
  }

  /**
   * Why the connection should be cut, or null. Silence for `stallMs` cuts it; so does receiving less than
   * `minBytesPerSecond` over a window of `stallMs` of the server's own time (a trickle).
   */
  verdict(now: number, stallMs: number, minBytesPerSecond: number): BraidError | null {
    if (this.ourWaitSince !== null) return null;
    if (now - this.lastDataAt >= stallMs) {
      return new BraidError('TIMEOUT', `no data from the server for ${seconds(stallMs)}`, { retryable: true });
    }
    const serverMs = now - this.windowStart - this.ourWaitMs;
    if (serverMs < stallMs) return null;
    const rate = (this.windowBytes * 1000) / serverMs;
    if (rate < minBytesPerSecond) {
      return trickleError(
        `the server trickled ${formatBytes(this.windowBytes)} in ${seconds(serverMs)} ` +
          `(${formatRate(rate)}, below the ${formatRate(minBytesPerSecond)} Braid waits for)`,
      );
    }
    this.windowStart = now;
    this.windowBytes = 0;
    this.ourWaitMs = 0;
    return null;
  }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/**
 * Cuts every connection whose server went quiet or only trickles (while Braid was ready to read). The minimum
 * rate is for the download as a whole, shared by its connections: a slow server split eight ways is not a trickle.
 */
export function cutStalled(watches: ReadonlySet<ReceiveWatch>, now: number, stallMs: number, minBytesPerSecond: number): void {
  const perConnection = minBytesPerSecond / Math.max(1, watches.size);
  for (const watch of watches) {
    const why = watch.verdict(now, stallMs, perConnection);
    if (why) watch.controller.abort(why);
  }
}
