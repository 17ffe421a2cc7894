import type { DownloadRecord } from '../../shared/types';
import type { ProbeResult } from './probe';
import { versionChange } from './validators';

/** What the store and the disk hold of a download when it starts running. */
export interface StoredState {
  record: Pick<DownloadRecord, 'url' | 'sourceUrl' | 'name' | 'size' | 'etag' | 'lastModified' | 'acceptRanges'>;
  /** Segments of a committed plan (none: nothing was planned yet). */
  plannedSegments: number;
  /** The `.part` file's size, null when it is not there. */
  partSize: number | null;
}

/**
 * - `fresh`: nothing on disk to keep: reserve a name, create the `.part`, plan from the probe;
 * - `resume`: continue the committed plan in the existing `.part`;
 * - `start-over`: the `.part` is ours but its bytes cannot be continued (another version, another server, no
 *   ranges, a size it was not made with): commit a new plan, then empty the file;
 * - `finished`: the plan is done and the `.part` is gone: the final name may already hold the file.
 */
export type ResumeDecision =
  | { kind: 'fresh' }
  | { kind: 'resume' }
  | { kind: 'start-over'; reason: string }
  | { kind: 'finished' };

/**
 * Whether the bytes a download holds can be continued at all, as far as its own row tells: the server answered
 * ranges of a file of known size. `decideResume` asks the server's answer now too; this is what a command can
 * promise before it asks.
 */
export function bytesContinuable(rec: Pick<DownloadRecord, 'acceptRanges' | 'size'>): boolean {
  return rec.acceptRanges && rec.size !== null;
}

/** Decides from the stored row, the disk and the server's answer now; pure, so every case is tested directly. */
export function decideResume(stored: StoredState, source: string, probe: ProbeResult, planDone: boolean): ResumeDecision {
  const rec = stored.record;
  if (!rec.name || stored.plannedSegments === 0) return { kind: 'fresh' };
  if (stored.partSize === null) return planDone ? { kind: 'finished' } : { kind: 'fresh' };
  if ((rec.sourceUrl ?? rec.url) !== source) return { kind: 'start-over', reason: 'the bytes on disk came from another server' };
  const change = versionChange({ etag: rec.etag, lastModified: rec.lastModified, size: rec.size }, probe);
  if (change) return { kind: 'start-over', reason: change };
  if (rec.size === null) return { kind: 'start-over', reason: 'the size was unknown, so the bytes cannot be continued' };
  // Braid makes the `.part` the file's full size: another size means something else cut or grew it, and the
  // bytes the store counts as received may no longer be there.
  if (stored.partSize !== rec.size) return { kind: 'start-over', reason: `the .part is ${stored.partSize} bytes, not the ${rec.size} it was made with (changed outside Braid)` };
  if (!rec.acceptRanges || !probe.acceptRanges) return { kind: 'start-over', reason: 'the server does not resume' };
  return { kind: 'resume' };
}
