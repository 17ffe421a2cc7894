/** A parsed `Content-Range: bytes first-last/complete` (complete null for `*`). */
export interface ContentRange {
  first: number;
  last: number;
  complete: number | null;
}

const SINGLE = /^bytes[ \t]+(\d{1,16})-(\d{1,16})\/(\d{1,16}|\*)$/i;
const UNSATISFIED = /^bytes[ \t]+\*\/(\d{1,16})$/i;

function safeInt(text: string): number | null {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** Parses a single-range Content-Range; null for anything malformed, out of order or unsafe. */
export function parseContentRange(header: string | undefined): ContentRange | null {
  if (!header) return null;
  const m = SINGLE.exec(header.trim());
  if (!m) return null;
  const first = safeInt(m[1]!);
  const last = safeInt(m[2]!);
  const complete = m[3] === '*' ? null : safeInt(m[3]!);
  if (first === null || last === null || last < first) return null;
  if (m[3] !== '*' && (complete === null || complete <= last)) return null;
  return { first, last, complete };
}

/** Parses the `bytes *\/N` of a 416 answer. */
export function parseUnsatisfiedRange(header: string | undefined): number | null {
  if (!header) return null;
  const m = UNSATISFIED.exec(header.trim());
  return m ? safeInt(m[1]!) : null;
}

/**
 * Checks a 206 against what was asked: it must start where we asked, end no later than we asked, and belong
 * to a file of the size we know. Returns a reason when it does not.
 */
export function checkRangeAnswer(
  range: ContentRange | null,
  asked: { first: number; last: number },
  knownSize: number | null,
): string | null {
  if (!range) return 'missing or malformed Content-Range';
  if (range.first !== asked.first) return `Content-Range starts at ${range.first}, asked ${asked.first}`;
  if (range.last > asked.last) return `Content-Range ends at ${range.last}, past the asked ${asked.last}`;
  if (knownSize !== null && range.complete !== null && range.complete !== knownSize) {
    return `file size changed from ${knownSize} to ${range.complete}`;
  }
  return null;
}
