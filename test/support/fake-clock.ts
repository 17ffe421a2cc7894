import type { Clock } from '../../electron/engine/ports';

/**
 * A clock that moves only when the test says so: sleeps and repeating timers fire on `advance`, so logic that
 * waits a minute is tested in milliseconds, the same way every run.
 */
export class FakeClock implements Clock {
  private time = 0;
  private readonly wallStart = Date.now();
  private readonly sleepers = new Set<{ at: number; wake: () => void }>();
  private readonly timers = new Set<{ next: number; every: number; action: () => void }>();

  now(): number {
    return this.time;
  }

  wallTime(): number {
    return this.wallStart + this.time;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const sleeper = {
        at: this.time + ms,
        wake: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
    });
  }

  every(ms: number, action: () => void) {
    const timer = { next: this.time + ms, every: ms, action };
    this.timers.add(timer);
    return { cancel: () => this.timers.delete(timer) };
  }

  /** Moves time forward, firing what falls due in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      let due = until;
      for (const s of this.sleepers) due = Math.min(due, s.at);
      for (const t of this.timers) due = Math.min(due, t.next);
      this.time = due;
      for (const s of [...this.sleepers]) {
        if (s.at <= this.time) {
          this.sleepers.delete(s);
          s.wake();
        }
      }
      for (const t of [...this.timers]) {
        if (t.next <= this.time && this.timers.has(t)) {
          t.next = this.time + t.every;
          t.action();
        }
      }
      if (this.time >= until) return;
    }
  }

  get pendingSleeps(): number {
    return this.sleepers.size;
  }
}
