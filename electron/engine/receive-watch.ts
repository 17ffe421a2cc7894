import { formatBytes, formatRate } from '../../shared/format';
import { BraidError, TrickleError } from './errors';

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

  ourWaitBegan(now: number): void {
    this.ourWaitSince = now;
  }

  ourWaitEnded(now: number): void {
    if (this.ourWaitSince !== null) this.ourWaitMs += now - this.ourWaitSince;
    this.ourWaitSince = null;
    this.lastDataAt = now;
  }

  received(bytes: number, now: number): void {
    this.windowBytes += bytes;
    this.lastDataAt = now;
  }

  /**
   * Why the connection should be cut, or null. Silence for `stallMs` cuts it; so does receiving less than
   * `minBytesPerSecond` over a window of `stallMs` of the server's own time.
   */
  verdict(now: number, stallMs: number, minBytesPerSecond: number): BraidError | null {
    const why = this.reason(now, stallMs, minBytesPerSecond);
    if (why === null) return null;
    return why.trickle ? new TrickleError(why.message) : new BraidError('TIMEOUT', why.message, { retryable: true });
  }

  /**
   * The reason, as words and whether it was a trickle.
   */
  private reason(now: number, stallMs: number, minBytesPerSecond: number): { message: string; trickle: boolean } | null {
    if (this.ourWaitSince !== null) return null;
    if (now - this.lastDataAt >= stallMs) return { message: `no data from the server for ${seconds(stallMs)}`, trickle: false };
    const serverMs = now - this.windowStart - this.ourWaitMs;
    if (serverMs < stallMs) return null;
    const rate = (this.windowBytes * 1000) / serverMs;
    if (rate < minBytesPerSecond) {
      const message =
        `the server trickled ${formatBytes(this.windowBytes)} in ${seconds(serverMs)} ` +
        `(${formatRate(rate)}, below the ${formatRate(minBytesPerSecond)} Braid waits for)`;
      return { message, trickle: true };
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
