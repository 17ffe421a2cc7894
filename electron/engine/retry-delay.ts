import { DEFAULT_RETRY_ATTEMPTS } from '../../shared/defaults';

export interface RetryPolicy {
  /** Attempts in a row without progress before the download fails. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this fails the download and says so, rather than hanging for hours. */
  maxRetryAfterMs: number;
  /**
   * A download that received bytes this recently goes on retrying a lost connection or a timeout past
   * `maxAttempts`, until this long has passed without a byte: a dropped Wi-Fi or a router's restart is ridden out
   * rather than failing every download at once. A server never reached fails as soon as the attempts run out.
   */
  outageMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: DEFAULT_RETRY_ATTEMPTS,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 10 * 60_000,
  outageMs: 60_000,
};

/** Exponential backoff with full jitter; `attempt` counts from 1. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now = Date.now()): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : null;
  }
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
