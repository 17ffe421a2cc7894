/**
 * A token bucket: `rate` bytes per second refill it, up to `burst`. Taking more than is there waits for the
 * refill, which pauses the reader and so the socket. A rate of 0 means no limit.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rate: number,
    private burst = Math.max(rate / 4, 64 * 1024),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = this.burst;
    this.last = this.now();
  }

  setRate(rate: number): void {
    this.refill();
    this.rate = rate;
    this.burst = Math.max(rate / 4, 64 * 1024);
    this.tokens = Math.min(this.tokens, this.burst);
  }

  get limited(): boolean {
    return this.rate > 0;
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
