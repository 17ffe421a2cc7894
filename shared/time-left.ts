import type { DownloadSnapshot } from './types';

type Running = Pick<DownloadSnapshot, 'size' | 'bytesDone' | 'eta'>;

/** Bytes the running downloads of known size have still to receive. */
export function bytesLeft(running: readonly Running[]): number {
  return running.reduce((sum, d) => sum + (d.size === null ? 0 : Math.max(0, d.size - d.bytesDone)), 0);
}

/**
 * When the running downloads will all have ended, in seconds, or null when that cannot be said: what is left over
 * the speed of all, but never sooner than one download's own time left, since a server that holds a download to
 * its pace does not let it take the bandwidth the others free.
 */
export function timeLeftOfAll(running: readonly Running[], speed: number, left = bytesLeft(running)): number | null {
  if (speed <= 0 || left <= 0) return null;
  return running.reduce((latest, d) => Math.max(latest, d.eta ?? 0), left / speed);
}
