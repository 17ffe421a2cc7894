import { BraidError, StartOver } from './errors';
import type { HttpClient } from './http-client';
import type { PartFileHandle } from './ports';
import { parseContentRange } from './content-range';
import { awaitResponse } from './got-response';
import { header, headOf, statusError } from './response';

/** Bytes re-read on each side of a seam. */
export const SEAM_WINDOW = 4096;

/**
 * Where bytes of two different answers meet in a file whose server gives no validator (no ETag, no usable
 * Last-Modified) to ask `If-Range` with: the only way to know the file did not change between those answers is
 * to read across each seam again and compare it with the disk.
 */
export class SeamLedger {
  private readonly joins = new Set<number>();

  add(offset: number): void {
    if (offset > 0) this.joins.add(offset);
  }

  get count(): number {
    return this.joins.size;
  }

  /** Windows to re-read, [first, last] inclusive, neighbouring ones merged, within a file of `size` bytes. */
  windows(size: number): { first: number; last: number }[] {
    const out: { first: number; last: number }[] = [];
    for (const join of [...this.joins].sort((a, b) => a - b)) {
      if (join >= size) continue;
      const first = Math.max(0, join - SEAM_WINDOW);
      const last = Math.min(size, join + SEAM_WINDOW) - 1;
      const prev = out[out.length - 1];
      if (prev && first <= prev.last + 1) prev.last = Math.max(prev.last, last);
      else out.push({ first, last });
    }
    return out;
  }

  clear(): void {
    this.joins.clear();
  }
}

/** Windows read again at once: each is a round trip for a few KiB, so a distant server's seams need not queue. */
const WINDOWS_AT_ONCE = 4;

export interface SeamSource {
  http: HttpClient;
  /** The proxy to ask through, or null for a direct connection. */
  proxy: string | null;
  url: string;
  headers: Record<string, string>;
}

/** Reads `first`..`last` of the file from the server into a new buffer; anything but that exact 206 is an error. */
export async function fetchWindow(source: SeamSource, first: number, last: number, signal: AbortSignal): Promise<Buffer> {
  const request = await source.http.stream(source.url, { ...source.headers, range: `bytes=${first}-${last}` }, signal, 'GET', source.proxy);
  try {
    const head = headOf(await awaitResponse(request));
    // "Later" or "no" is an answer about the server, retried or failed as any other; only a range answered
    // differently from before says the bytes cannot be checked.
    if (head.status !== 200 && head.status !== 206) throw statusError(head);
    const range = parseContentRange(header(head, 'content-range') ?? undefined);
    if (head.status !== 206 || !range || range.first !== first || range.last !== last) {
      throw new StartOver(`the server no longer answers the range ${first}-${last} as before (${head.status})`);
    }
    const out = Buffer.alloc(last - first + 1);
    let filled = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      filled += chunk.copy(out, filled);
      if (filled >= out.length) break;
    }
    if (filled < out.length) throw new BraidError('NETWORK_ERROR', 'the server closed the connection before the end of the body', { retryable: true });
    return out;
  } finally {
    request.destroy();
  }
}

/**
 * Re-reads every seam window and compares it with the disk, a few at a time. Throws StartOver when they differ:
 * the server's file changed while it was downloaded, and the bytes on disk are a splice of two versions.
 * `progress` hears how many windows are found the same so far, of how many: at the start, then after each.
 */
export async function verifySeams(
  ledger: SeamLedger,
  size: number,
  file: PartFileHandle,
  source: SeamSource,
  attempt: <T>(action: () => Promise<T>) => Promise<T>,
  signal: AbortSignal,
  progress: (checked: number, of: number) => void = () => undefined,
): Promise<void> {
  const windows = ledger.windows(size);
  let checked = 0;
  progress(checked, windows.length);
  let next = 0;
  let failed = false;
  const checkInTurn = async (): Promise<void> => {
    while (!failed && next < windows.length) {
      const w = windows[next++]!;
      try {
        const fresh = await attempt(() => fetchWindow(source, w.first, w.last, signal));
        const onDisk = Buffer.alloc(fresh.length);
        const read = await file.read(onDisk, onDisk.length, w.first);
        if (read !== fresh.length || !onDisk.equals(fresh)) {
          throw new StartOver(`the file changed on the server while it was downloaded (bytes ${w.first}-${w.last} differ; it sends no ETag or Last-Modified to check with)`);
        }
        progress(++checked, windows.length);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  // Every check ends before this does: none may still be reading the file when the download starts over.
  const results = await Promise.allSettled(Array.from({ length: Math.min(WINDOWS_AT_ONCE, windows.length) }, checkInTurn));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) throw failures.find((f) => f instanceof StartOver) ?? failures[0];
  ledger.clear();
}
