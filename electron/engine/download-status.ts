import type { DownloadError, DownloadStatus, StopReason } from '../../shared/types';
import { BraidError } from './errors';

/**
 * How a job's run ended. The job persists its progress (segments, bytes, retries) but never a status: the
 * scheduler turns the outcome into one, through the table below.
 */
export type JobOutcome =
  | { kind: 'completed'; name: string; path: string; size: number }
  | { kind: 'failed'; error: DownloadError }
  | { kind: 'stopped'; reason: StopReason };

/**
 * Every status change a download may make:
 *
 *     queued ──► active ──► completed
 *       │  ▲       ├──────► failed ──► queued        (retry)
 *       │  │       ├──────► paused ──► queued        (the user paused it; resume)
 *       │  └───────┘                                 (shutdown or crash: it resumes on the next start)
 *       ├──► paused                                  (paused before it ran)
 *       └──► failed                                  (could not be started: an internal failure)
 *
 * A completed download stays completed; removing one deletes its row, which is not a status.
 */
const TRANSITIONS: Readonly<Record<DownloadStatus, readonly DownloadStatus[]>> = {
  queued: ['active', 'paused', 'failed'],
  active: ['completed', 'failed', 'paused', 'queued'],
  paused: ['queued'],
  failed: ['queued'],
  completed: [],
};

export function canTransition(from: DownloadStatus, to: DownloadStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws an INTERNAL error for a change the table does not allow: a bug in Braid, never written to the store. */
export function checkTransition(id: number, from: DownloadStatus, to: DownloadStatus): void {
  if (!canTransition(from, to)) throw new BraidError('INTERNAL', `download #${id} cannot go from ${from} to ${to}`);
}

/** The status a stopped download takes: a user's pause stays paused, a shutdown resumes on the next start. */
export function statusAfterStop(reason: StopReason): Extract<DownloadStatus, 'paused' | 'queued'> {
  return reason === 'user' ? 'paused' : 'queued';
}

/** An unexpected throw turned into a failure of one download, with a code that is never retried by itself. */
export function internalError(error: unknown): DownloadError {
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `internal error: ${message}` };
}
