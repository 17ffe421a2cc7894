import { checkRangeAnswer, parseContentRange, parseUnsatisfiedRange } from './content-range';
import { BraidError } from './errors';
import { contentCoding, contentLength, header, statusError, type ResponseHead } from './response';
import { versionChange, type Validators } from './validators';

/** What was asked: bytes `first`..`last` inclusive, or the whole body from the start when `last` is null. */
export interface RangeQuestion {
  first: number;
  last: number | null;
}

/**
 * What to do with an answer, decided before a single body byte is written:
 * - `body`: write it from `first`; it ends before `end` (an exclusive offset; null: when the server closes);
 * - `restart`: the file is not the one whose bytes we hold: start over, never splice;
 * - `range-ignored`: the same file, but sent whole or from its start: start over as one stream;
 * - `retry`: a wrong or transient answer: ask again;
 * - `fail`: the server said no.
 */
export type RangeVerdict =
  | { kind: 'body'; end: number | null }
  | { kind: 'restart'; reason: string }
  /** `whole`: a 200 with the whole file, which a server limiting connections may send one connection too many. */
  | { kind: 'range-ignored'; whole: boolean }
  | { kind: 'retry'; error: BraidError }
  | { kind: 'fail'; error: BraidError };

function badResponse(message: string): RangeVerdict {
  return { kind: 'retry', error: new BraidError('BAD_RESPONSE', message, { retryable: true }) };
}

/** Classifies a response to a (ranged) GET against what was asked and the version of the file we hold. */
export function classifyRangeAnswer(head: ResponseHead, asked: RangeQuestion, known: Validators): RangeVerdict {
  const status = head.status;
  const coding = status >= 200 && status <= 299 ? contentCoding(head) : null;
  // A coded body is taken only whole, from its first byte, in one answer: its offsets are not the file's own, and
  // another answer may code it otherwise, so no part of it is ever joined to another's. A coded answer to a range
  // means the probe saw the file uncoded: start over, and the new probe plans one stream.
  if (coding !== null && (asked.first !== 0 || asked.last !== null)) {
    return { kind: 'restart', reason: `the server sends the file coded (${coding}), which cannot be fetched in ranges` };
  }
  const etag = header(head, 'etag');
  const lastModified = header(head, 'last-modified');
  if (status === 206) {
    if (asked.last === null) return badResponse('the server answered 206 to a request without a range');
    if (/^\s*multipart\//i.test(header(head, 'content-type') ?? '')) {
      return badResponse('the server answered one range with a multipart body');
    }
    const range = parseContentRange(header(head, 'content-range') ?? undefined);
    const change = versionChange(known, { etag, lastModified, size: range?.complete ?? null });
    if (change) return { kind: 'restart', reason: change };
    const problem = checkRangeAnswer(range, { first: asked.first, last: asked.last }, known.size);
    // Bytes from the file's start whatever was asked: a server that knows ranges only from 0, which one stream
    // from the start still downloads whole.
    if (problem && range && range.first === 0 && asked.first > 0) return { kind: 'range-ignored', whole: false };
    if (problem || !range) return badResponse(`the server answered a wrong range: ${problem ?? 'no Content-Range'}`);
    const length = contentLength(head);
    if (length !== null && length !== range.last - range.first + 1) return badResponse('Content-Length does not match Content-Range');
    return { kind: 'body', end: range.last + 1 };
  }
  if (status >= 200 && status <= 299) {
    const change = versionChange(known, { etag, lastModified, size: contentLength(head) });
    if (change) return { kind: 'restart', reason: change };
    if (asked.last !== null) {
      if (status === 200) return { kind: 'range-ignored', whole: true };
      return badResponse(`the server answered ${status} to a range request`);
    }
    if (asked.first !== 0) return badResponse(`the server answered ${status} to a request that did not start at 0`);
    const size = contentLength(head) ?? known.size;
    return { kind: 'body', end: size };
  }
  if (status === 416) {
    // `bytes */N` tells the server's size now; we only ask for ranges inside the size we know.
    const now = parseUnsatisfiedRange(header(head, 'content-range') ?? undefined);
    if (now !== null && known.size !== null && now !== known.size) {
      return { kind: 'restart', reason: `the file size changed from ${known.size} to ${now}` };
    }
    return { kind: 'restart', reason: 'the server refused the range (416)' };
  }
  const error = statusError(head);
  return error.retryable ? { kind: 'retry', error } : { kind: 'fail', error };
}
