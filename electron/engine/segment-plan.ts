export const MIB = 1024 * 1024;
/** No segment is planned or split below this size: smaller ones cost more in requests than they gain. */
export const MIN_SEGMENT = MIB;

export interface Range {
  start: number;
  end: number;
}

/** Splits [0, size) into at most `count` near-equal ranges of at least `minSize` bytes. */
export function planSegments(size: number, count: number, minSize = MIN_SEGMENT): Range[] {
  if (size <= 0) return [{ start: 0, end: 0 }];
  const n = Math.max(1, Math.min(count, Math.floor(size / minSize)));
  const base = Math.floor(size / n);
  const ranges: Range[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = i === n - 1 ? size : start + base;
    ranges.push({ start, end });
    start = end;
  }
  return ranges;
}

/** What the stealing rule needs to know of a segment that a connection is working on. */
export interface RunningSegment {
  /** Next byte the connection will receive. */
  position: number;
  end: number;
  /** Bytes per second measured on this connection; 0 when not yet known. */
  speed: number;
}

/**
 * When a connection runs out of work it takes the second half of the segment that will finish last, so every
 * connection stays busy to the end. Returns the index to split and where, or null when no split leaves both
 * halves at least `minSize`.
 */
export function chooseSplit(running: readonly RunningSegment[], minSize = MIN_SEGMENT): { index: number; at: number } | null {
  let best = -1;
  let bestTime = -1;
  for (let i = 0; i < running.length; i++) {
    const s = running[i]!;
    const remaining = s.end - s.position;
    if (remaining < 2 * minSize) continue;
    // A connection with no measured speed yet ranks by bytes alone, as if it ran at 1 B/s.
    const time = remaining / Math.max(s.speed, 1);
    if (time > bestTime) {
      bestTime = time;
      best = i;
    }
  }
  if (best < 0) return null;
  const s = running[best]!;
  const at = s.position + Math.floor((s.end - s.position) / 2);
  return { index: best, at };
}

/** Merges neighbouring segments that are both finished, so the stored list stays short. */
export function compactSegments<T extends { start: number; end: number; done: number }>(segments: readonly T[]): { start: number; end: number; done: number }[] {
  const sorted = [...segments].sort((a, b) => a.start - b.start);
  const out: { start: number; end: number; done: number }[] = [];
  for (const s of sorted) {
    const prev = out[out.length - 1];
    const complete = s.done >= s.end - s.start;
    if (prev && complete && prev.done >= prev.end - prev.start && prev.end === s.start) {
      prev.end = s.end;
      prev.done = prev.end - prev.start;
    } else {
      out.push({ start: s.start, end: s.end, done: s.done });
    }
  }
  return out;
}
