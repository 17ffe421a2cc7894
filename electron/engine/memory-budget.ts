/**
 * In-flight memory: bytes received from the network and not yet written to disk. Every download has an
 * account with its own cap, and all accounts draw on one global budget. Space is reserved in whole buffers
 * before bytes are copied in; a reader that cannot reserve waits, which leaves its socket unread (backpressure).
 */
export class MemoryBudget {
  reserved = 0;
  private waiters = new Set<() => void>();

  constructor(public limit: number) {}

  account(cap: number): MemoryAccount {
    return new MemoryAccount(this, cap);
  }

  /** Wakes every waiter to re-check; there are at most a few hundred (one per connection). */
  notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.waiters.delete(wake);
        reject(signal.reason);
      };
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export class MemoryAccount {
  reserved = 0;
  /** Bytes actually held (received, not yet on disk); never more than `reserved`. */
  inFlight = 0;
  /** Highest `inFlight` seen, for tests and benchmarks. */
  peakInFlight = 0;

  constructor(
    private readonly budget: MemoryBudget,
    public cap: number,
  ) {}

  private tryReserve(n: number): boolean {
    // One reservation always fits an empty account, so a cap below the buffer size cannot stall forever.
    const fitsAccount = this.reserved + n <= this.cap || this.reserved === 0;
    const fitsBudget = this.budget.reserved + n <= this.budget.limit || this.budget.reserved === 0;
    if (!fitsAccount || !fitsBudget) return false;
    this.reserved += n;
    this.budget.reserved += n;
    return true;
  }

  async reserve(n: number, signal: AbortSignal): Promise<void> {
    while (!this.tryReserve(n)) await this.budget.wait(signal);
  }

  release(n: number): void {
    this.reserved -= n;
    this.budget.reserved -= n;
    this.budget.notify();
  }

  hold(n: number): void {
    this.inFlight += n;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
  }

  drop(n: number): void {
    this.inFlight -= n;
  }
}
