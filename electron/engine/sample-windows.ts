/** A byte window [first, last] inclusive. */
export interface ByteWindow {
  first: number;
  last: number;
}

/**
 * Windows of the bytes on disk to read again from a new link, spread over what is there: the first bytes, the
 * last ones, and evenly between, each inside one done range (`[start, end)`). A different file of the same size
 * that happens to share one window (a common header) differs in the others. Pure, so it tests without a server.
 */
export function sampleWindows(done: readonly { start: number; end: number }[], count: number, size: number): ByteWindow[] {
  const ranges = done.filter((r) => r.end > r.start);
  const total = ranges.reduce((n, r) => n + (r.end - r.start), 0);
  if (total === 0 || count <= 0 || size <= 0) return [];
  const out: ByteWindow[] = [];
  for (let i = 0; i < count; i++) {
    // How far into the done bytes (counted without the gaps) this window starts.
    const along = count === 1 ? 0 : Math.floor((i * Math.max(0, total - 1)) / (count - 1));
    let skipped = 0;
    for (const r of ranges) {
      const length = r.end - r.start;
      if (along < skipped + length) {
        const at = r.start + (along - skipped);
        // Keep the window inside its range, sliding back from the range's end when it would overrun it.
        const first = Math.max(r.start, Math.min(at, r.end - size));
        const last = Math.min(r.end, first + size) - 1;
        if (!out.some((w) => w.first === first)) out.push({ first, last });
        break;
      }
      skipped += length;
    }
  }
  return out.sort((a, b) => a.first - b.first);
}
