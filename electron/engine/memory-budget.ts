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
  /**
   * Accounts with readers waiting, in the order they began to wait (a Set keeps insertion order). Freed memory
   * goes round them one buffer at a time, so a download whose caps and others' add up to more than the budget
   * still gets its turn when the disk is the bottleneck.
   */
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

  /** Whether an account other than `self` is queued for the global budget (not merely at its own cap). */
  hasQueueAhead(self: MemoryAccount): boolean {
    for (const account of this.waiting) if (account !== self && account.wantsBudget()) return true;
    return false;
  }

  /**
   * Hands freed memory to waiting readers round robin: one buffer to the account that has waited longest, which
   * then goes to the back of the line if it still waits. An account held back by its own cap is passed over;
   * one held back by the budget stops the round, so a later account cannot take what it is queued for.
   */
  serve(): void {
    for (;;) {
      let granted = false;
      for (const account of [...this.waiting]) {
        const result = account.serveOne();
        if (result === 'budget') return;
        if (result === 'granted') {
          granted = true;
          if (account.waiting) {
            this.waiting.delete(account);
            this.waiting.add(account);
          }
        }
      }
      if (!granted) return;
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
    if (!this.fitsAccount(bytes) || !this.budget.fits(bytes)) return false;
    this.reserved += bytes;
    this.budget.reserved += bytes;
    return true;
  }

  private fitsAccount(bytes: number): boolean {
    return this.reserved + bytes <= this.cap || this.reserved === 0;
  }

  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /** Whether the reader at the head of this account's line waits for the global budget, not for its own cap. */
  wantsBudget(): boolean {
    return this.waiters.length > 0 && this.fitsAccount(this.waiters[0]!.bytes);
  }

  /**
   * Resolves once `bytes` are reserved; waiters are served first come, first served, within the account and
   * across accounts (a reader does not take memory another download is queued for).
   */
  reserve(bytes: number, signal: AbortSignal): Promise<void> {
    if (this.reserveNow(bytes)) return Promise.resolve();
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

  /**
   * Reserves `bytes` at once when nobody is queued ahead and they fit; otherwise reserves nothing. A reader that
   * gets its next buffer this way goes on within the same socket callback instead of waiting for a promise.
   */
  reserveNow(bytes: number): boolean {
    return this.waiters.length === 0 && !this.budget.hasQueueAhead(this) && this.tryReserve(bytes);
  }

  /** Grants one buffer to the reader at the head of the line, or says what holds it back. */
  serveOne(): 'granted' | 'cap' | 'budget' | 'none' {
    const head = this.waiters[0];
    if (!head) return 'none';
    if (!this.fitsAccount(head.bytes)) return 'cap';
    if (!this.tryReserve(head.bytes)) return 'budget';
    this.waiters.shift();
    head.signal.removeEventListener('abort', head.onAbort);
    if (this.waiters.length === 0) this.budget.markWaiting(this, false);
    head.resolve();
    return 'granted';
  }

  release(bytes: number): void {
    this.reserved -= bytes;
    this.budget.reserved -= bytes;
    this.budget.serve();
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
