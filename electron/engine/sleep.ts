import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms`, or rejects with the signal's own reason as soon as it aborts. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error;
  }
}
