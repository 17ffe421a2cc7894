import type { DownloadError, RetryEntry } from '../../shared/types';
import { formatDuration } from '../../shared/format';
import { BraidError, StartOver, toBraidError } from './errors';
import type { Clock } from './ports';
import { backoffDelay, type RetryPolicy } from './retry-delay';

/** Retries remembered per download for the detail panel. */
const RETRY_LOG_LENGTH = 20;

/**
 * A download's retry bookkeeping: how many retries it took, the most recent reasons (for the detail panel), and
 * the wait before the next attempt (backoff, or the server's Retry-After within reason).
 */
export class RetryBook {
  retries: number;
  log: RetryEntry[];

  constructor(
    initial: { retries: number; retryLog: RetryEntry[] },
    private readonly policy: RetryPolicy,
    private readonly clock: Clock,
  ) {
    this.retries = initial.retries;
    this.log = [...initial.retryLog];
  }

  /** The most recent reason in this run, shown while the download runs; cleared when bytes arrive again. */
  recent: DownloadError | null = null;
  /** When the download last received bytes in this run (the clock's `now`). */
  receivedAt = -Infinity;

  /** Bytes arrived: the last problem is over, and an outage is counted from now. */
  received(now: number): void {
    this.recent = null;
    this.receivedAt = now;
  }

  /** A lost connection or a timeout while the download received bytes within the outage time: not given up on. */
  private ridingOut(e: BraidError): boolean {
    // A trickle is the server's doing, with bytes still coming: its attempts run out as they always did.
    if ((e.code !== 'NETWORK_ERROR' && e.code !== 'TIMEOUT') || !e.countsAsProgress) return false;
    return this.clock.now() - this.receivedAt < (this.policy.outageMs ?? 0);
  }

  /** Keeps why the download is trying again. */
  note(e: BraidError): void {
    this.recent = e.toJSON();
    this.record(e);
  }

  /** Keeps an event of the download's history that is no problem of this run (a start-over decided at its start). */
  record(e: BraidError): void {
    this.log = [...this.log, { at: this.clock.wallTime(), ...e.toJSON() }].slice(-RETRY_LOG_LENGTH);
  }

  /**
   * Counts a retry and waits before it; throws when `attempts` in a row used up the policy. `backoffAttempt`, when
   * the wait should grow by another count than the one that runs out (see the download's connections), sets the
   * backoff.
   */
  async wait(e: BraidError, attempts: number, signal: AbortSignal, backoffAttempt = attempts): Promise<void> {
    this.retries++;
    this.note(e);
    if (attempts >= this.policy.maxAttempts && !this.ridingOut(e)) {
      throw new BraidError(e.code, `${e.message} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`, { status: e.status });
    }
    if (e.retryAfterMs !== undefined && e.retryAfterMs > this.policy.maxRetryAfterMs) {
      throw new BraidError(
        'RETRY_AFTER_TOO_LONG',
        `${e.message} and asked to retry in ${formatDuration(e.retryAfterMs / 1000)}, longer than the ${formatDuration(this.policy.maxRetryAfterMs / 1000)} Braid waits`,
      );
    }
    await this.clock.sleep(e.retryAfterMs ?? backoffDelay(backoffAttempt, this.policy), signal);
  }

  /** Runs `action` until it succeeds, a failure is not retryable, or the attempts run out. */
  async attempt<T>(action: () => Promise<T>, signal: AbortSignal, url: string): Promise<T> {
    for (let attempts = 1; ; attempts++) {
      try {
        return await action();
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        // "Start over" is the job's to act on, not a failure to map.
        if (error instanceof StartOver) throw error;
        const e = toBraidError(error, url);
        if (!e.retryable) throw e;
        await this.wait(e, attempts, signal);
      }
    }
  }
}
