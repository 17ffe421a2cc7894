/**
 * A quarter of a second at the rate: short bursts pass, and a small limit lets through no more than a few KiB
 * ahead of it.
 */
function burstOf(rate: number): number {
  return Math.max(rate / 4, 4 * 1024);
}

/**
 * A token bucket: `rate` bytes per second refill it, up to `burst`. Taking more than is there waits for the
 * refill, which pauses the reader and so the socket. A rate of 0 means no limit.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rate: number,
    private burst = burstOf(rate),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = this.burst;
    this.last = this.now();
  }

  setRate(rate: number): void {
    this.refill();
    this.rate = rate;
    this.burst = burstOf(rate);
    this.tokens = Math.min(this.tokens, this.burst);
  }

  get limited(): boolean {
    return this.rate > 0;
  }

  /** Bytes a second, 0 for no limit. */
  get bytesPerSecond(): number {
    return this.rate;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }

  /** Takes `n` tokens and returns how many milliseconds the caller must wait before using them. */
  take(n: number): number {
    if (this.rate <= 0) return 0;
    this.refill();
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000;
  }
}

/** Reads under a speed limit are never smaller than this: a smaller one costs more in calls than it paces. */
const MIN_PACED_READ = 1024;

/**
 * The most one read may bring under the speed limits, `Infinity` when there are none (a read then takes all the
 * memory it is lent). Under a limit: an eighth of a second at the lowest rate, at most `maxRead` and at least
 * 1 KiB, so the reads a download's connections make before pacing holds them back come to about a second's worth
 * (a few seconds' under 8 KiB/s), not a read buffer each (64 KiB × 8 connections is over four minutes of a
 * 2 KiB/s limit).
 */
export function pacedRead(buckets: readonly TokenBucket[], maxRead: number): number {
  let lowest = Infinity;
  for (const bucket of buckets) if (bucket.limited) lowest = Math.min(lowest, bucket.bytesPerSecond);
  return lowest === Infinity ? Infinity : Math.max(MIN_PACED_READ, Math.min(maxRead, Math.floor(lowest / 8)));
}
