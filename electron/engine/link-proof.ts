import type { DownloadRecord, LinkProof, SegmentState } from '../../shared/types';
import { BraidError, StartOver } from './errors';
import type { PartFileHandle } from './ports';
import type { ProbeResult } from './probe';
import { sampleWindows } from './sample-windows';
import { fetchWindow, type SeamSource } from './seam-check';
import { isWeakEtag } from './validators';

/** Windows of the bytes on disk read again from a new link when no validator can vouch for it, and their size. */
export const SAMPLE_COUNT = 5;
export const SAMPLE_SIZE = 16 * 1024;

export type ProofResult = { same: true; proof: LinkProof } | { same: false; reason: string };

function strongEtag(etag: string | null): string | null {
  return etag && !isWeakEtag(etag) ? etag : null;
}

/**
 * Whether a new link serves the file whose bytes are on disk, decided before any of its bytes is written: the
 * same size and, where both answers carry one, the same strong ETag; otherwise sample windows of the bytes on
 * disk, read again from the new link, must match. `file` opens the `.part` (null when there is none).
 */
export async function proveSameFile(
  record: Pick<DownloadRecord, 'size' | 'etag'>,
  segments: readonly SegmentState[],
  answer: ProbeResult,
  source: SeamSource,
  file: () => Promise<PartFileHandle | null>,
  signal: AbortSignal,
): Promise<ProofResult> {
  const done = segments.map((s) => ({ start: s.start, end: s.start + s.done }));
  if (done.every((r) => r.end <= r.start)) return { same: true, proof: 'nothing-on-disk' };
  if (record.size === null) return { same: false, reason: 'the size of the bytes on disk was never known, so they cannot be compared' };
  if (answer.size !== record.size) {
    return { same: false, reason: `its file has ${answer.size === null ? 'no known size' : `${answer.size} bytes`}, the download's ${record.size}` };
  }
  const before = strongEtag(record.etag);
  const now = strongEtag(answer.etag);
  if (before && now) return before === now ? { same: true, proof: 'validator' } : { same: false, reason: 'it is another version of the file (its ETag differs)' };
  if (!answer.acceptRanges) return { same: false, reason: 'its server does not serve byte ranges, so the bytes on disk cannot be compared with it' };
  const handle = await file();
  if (!handle) return { same: true, proof: 'nothing-on-disk' };
  try {
    for (const w of sampleWindows(done, SAMPLE_COUNT, SAMPLE_SIZE)) {
      let fresh: Buffer;
      try {
        fresh = await fetchWindow(source, w.first, w.last, signal);
      } catch (error) {
        if (error instanceof StartOver) return { same: false, reason: error.message };
        throw error;
      }
      const onDisk = Buffer.alloc(fresh.length);
      const read = await handle.read(onDisk, onDisk.length, w.first);
      if (read !== fresh.length || !onDisk.equals(fresh)) {
        return { same: false, reason: `its bytes ${w.first}-${w.last} differ from those on disk` };
      }
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
  return { same: true, proof: 'samples' };
}

/** The refusal a user sees when a new link gives another file; the bytes on disk are left as they were. */
export function differentFile(id: number, reason: string): DifferentFile {
  return new DifferentFile(id, reason);
}

/** A new link that gives another file than the bytes on disk; `reason` says how it differs. */
export class DifferentFile extends BraidError {
  constructor(
    readonly id: number,
    readonly reason: string,
  ) {
    super(
      'CANNOT_RESUME',
      `the new link gives a different file: ${reason}. Nothing was changed; to download the new link's file from the start instead: braid refresh ${id} URL --start-over`,
    );
  }
}
