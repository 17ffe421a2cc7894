import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from './ports';

/** The real clock: `performance.now()` for durations, `Date.now()` for timestamps, Node's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallTime: () => Date.now(),
  async sleep(ms, signal) {
    try {
      await delay(ms, undefined, { signal });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw error;
    }
  },
  every(ms, action) {
    const timer = setInterval(action, ms);
    return { cancel: () => clearInterval(timer) };
  },
};
