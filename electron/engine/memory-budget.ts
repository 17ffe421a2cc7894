interface Waiter {
  bytes: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * In-flight memory: bytes received from the network and not yet written to disk. Every download has an
 * account with its own cap, and all accounts draw on one global budget. Space is reserved in whole buffers
 * before bytes are copied in; a reader that cannot reserve waits, which leaves its socket unread (backpressure).
 */
export class MemoryBudget {
  reserved = 0;
  /** Bytes held over all accounts (received, not yet on disk), and the most ever held at once. */
  inFlight = 0;
  peakInFlight = 0;
  /** Accounts with readers waiting, served in turn when memory comes back. */
  private readonly waiting = new Set<MemoryAccount>();

  constructor(public limit: number) {}

  account(cap: number): MemoryAccount {
    return new MemoryAccount(this, cap);
  }

  fits(bytes: number): boolean {
    // One reservation always fits an empty budget, so a limit below the buffer size cannot stall forever.
    return this.reserved + bytes <= this.limit || this.reserved === 0;
  }

  markWaiting(account: MemoryAccount, waiting: boolean): void {
    if (waiting) this.waiting.add(account);
    else this.waiting.delete(account);
  }

  /** Hands freed memory to waiting readers, first the account that freed it, then the others in turn. */
  serve(first: MemoryAccount): void {
    first.serve();
    for (const account of this.waiting) {
      if (!this.fits(1)) return;
      if (account !== first) account.serve();
    }
  }
}

export class MemoryAccount {
  reserved = 0;
  /** Bytes actually held (received, not yet on disk); never more than `reserved`. */
  inFlight = 0;
  /** Highest `inFlight` seen, for tests and benchmarks. */
  peakInFlight = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    private readonly budget: MemoryBudget,
    public cap: number,
  ) {}

  private tryReserve(bytes: number): boolean {
    const fitsAccount = this.reserved + bytes <= this.cap || this.reserved === 0;
    if (!fitsAccount || !this.budget.fits(bytes)) return false;
    this.reserved += bytes;
    this.budget.reserved += bytes;
    return true;
  }

  /** Resolves once `bytes` are reserved; waiters are served first come, first served. */
  reserve(bytes: number, signal: AbortSignal): Promise<void> {
    if (this.waiters.length === 0 && this.tryReserve(bytes)) return Promise.resolve();
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          if (this.waiters.length === 0) this.budget.markWaiting(this, false);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.budget.markWaiting(this, true);
    });
  }

  /** Grants what now fits to the waiters at the head of the queue. */
  serve(): void {
    while (this.waiters.length > 0 && this.tryReserve(this.waiters[0]!.bytes)) {
      const waiter = this.waiters.shift()!;
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    if (this.waiters.length === 0) this.budget.markWaiting(this, false);
  }

  release(bytes: number): void {
    this.reserved -= bytes;
    this.budget.reserved -= bytes;
    this.budget.serve(this);
  }

  hold(bytes: number): void {
    this.inFlight += bytes;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    const budget = this.budget;
    budget.inFlight += bytes;
    if (budget.inFlight > budget.peakInFlight) budget.peakInFlight = budget.inFlight;
  }

  drop(bytes: number): void {
    this.inFlight -= bytes;
    this.budget.inFlight -= bytes;
  }
}
