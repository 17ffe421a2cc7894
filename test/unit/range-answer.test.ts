import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyRangeAnswer, type RangeQuestion, type RangeVerdict } from '../../electron/engine/range-answer';
import type { ResponseHead } from '../../electron/engine/response';
import type { Validators } from '../../electron/engine/validators';

const SIZE = 1000;
const KNOWN: Validators = { etag: '"v1"', lastModified: 'Thu, 01 Jan 2026 00:00:00 GMT', size: SIZE };
const NO_VALIDATORS: Validators = { etag: null, lastModified: null, size: SIZE };
const RANGE: RangeQuestion = { first: 100, last: 199 };
const WHOLE: RangeQuestion = { first: 0, last: null };

function head(status: number, headers: Record<string, string> = {}): ResponseHead {
  return { status, statusMessage: '', headers };
}

/** Each row: what was asked, what we hold, what came back, and the verdict (kind, plus end or a reason pattern). */
const TABLE: { name: string; asked: RangeQuestion; known: Validators; answer: ResponseHead; kind: RangeVerdict['kind']; end?: number | null; reason?: RegExp }[] = [
  { name: 'the asked range', asked: RANGE, known: KNOWN, answer: head(206, { 'content-range': 'bytes 100-199/1000', 'content-length': '100', etag: '"v1"' }), kind: 'body', end: 200 },
  { name: 'a shorter range', asked: RANGE, known: KNOWN, answer: head(206, { 'content-range': 'bytes 100-149/1000' }), kind: 'body', end: 150 },
  { name: 'a range that starts late', asked: RANGE, known: KNOWN, answer: head(206, { 'content-range': 'bytes 101-199/1000' }), kind: 'retry', reason: /starts at 101/ },
  { name: 'a range past the asked end', asked: RANGE, known: KNOWN, answer: head(206, { 'content-range': 'bytes 100-299/1000' }), kind: 'retry', reason: /past the asked/ },
  { name: 'a 206 without Content-Range', asked: RANGE, known: KNOWN, answer: head(206), kind: 'retry', reason: /Content-Range/ },
  { name: 'a multipart answer to one range', asked: RANGE, known: KNOWN, answer: head(206, { 'content-type': 'multipart/byteranges; boundary=x' }), kind: 'retry', reason: /multipart/ },
  { name: 'Content-Length that disagrees with the range', asked: RANGE, known: KNOWN, answer: head(206, { 'content-range': 'bytes 100-199/1000', 'content-length': '50' }), kind: 'retry', reason: /Content-Length/ },
  { name: 'a new total size', asked: RANGE, known: KNOWN, answer: head(206, { 'content-range': 'bytes 100-199/2000' }), kind: 'restart', reason: /size changed/ },
  { name: 'a new ETag on a 206', asked: RANGE, known: KNOWN, answer: head(206, { 'content-range': 'bytes 100-199/1000', etag: '"v2"' }), kind: 'restart', reason: /ETag/ },
  { name: 'a new Last-Modified with no ETag known', asked: RANGE, known: { ...KNOWN, etag: null }, answer: head(206, { 'content-range': 'bytes 100-199/1000', 'last-modified': 'Fri, 02 Jan 2026 00:00:00 GMT' }), kind: 'restart', reason: /Last-Modified/ },
  { name: 'a unit other than bytes', asked: RANGE, known: KNOWN, answer: head(206, { 'content-range': 'items 100-199/1000' }), kind: 'retry' },
  { name: 'a 206 nobody asked for', asked: WHOLE, known: KNOWN, answer: head(206, { 'content-range': 'bytes 0-99/1000' }), kind: 'retry', reason: /without a range/ },
  { name: 'the whole file to a range, same version', asked: RANGE, known: KNOWN, answer: head(200, { 'content-length': '1000', etag: '"v1"' }), kind: 'range-ignored' },
  { name: 'the whole file to a range, new version (If-Range said so)', asked: RANGE, known: KNOWN, answer: head(200, { 'content-length': '1000', etag: '"v2"' }), kind: 'restart', reason: /ETag/ },
  { name: 'the whole file, another size', asked: RANGE, known: NO_VALIDATORS, answer: head(200, { 'content-length': '999' }), kind: 'restart', reason: /size changed/ },
  { name: 'a 204 to a range', asked: RANGE, known: KNOWN, answer: head(204), kind: 'retry', reason: /204/ },
  { name: 'the whole body asked, with its length', asked: WHOLE, known: { etag: null, lastModified: null, size: null }, answer: head(200, { 'content-length': '1000' }), kind: 'body', end: 1000 },
  { name: 'the whole body of unknown length', asked: WHOLE, known: { etag: null, lastModified: null, size: null }, answer: head(200), kind: 'body', end: null },
  { name: '416 with the size we know', asked: RANGE, known: KNOWN, answer: head(416, { 'content-range': 'bytes */1000' }), kind: 'restart', reason: /416/ },
  { name: '416 with another size', asked: RANGE, known: KNOWN, answer: head(416, { 'content-range': 'bytes */500' }), kind: 'restart', reason: /size changed from 1000 to 500/ },
  { name: '503, try later', asked: RANGE, known: KNOWN, answer: head(503, { 'retry-after': '7' }), kind: 'retry', reason: /503/ },
  { name: '429, try later', asked: RANGE, known: KNOWN, answer: head(429), kind: 'retry' },
  { name: 'a coded range', asked: RANGE, known: KNOWN, answer: head(206, { 'content-range': 'bytes 100-199/1000', 'content-encoding': 'gzip' }), kind: 'restart', reason: /coded \(gzip\), which cannot be fetched in ranges/ },
  { name: 'a coded whole body for a range', asked: RANGE, known: KNOWN, answer: head(200, { 'content-length': '1000', 'content-encoding': 'gzip' }), kind: 'restart', reason: /coded \(gzip\)/ },
  { name: 'a coded whole body, asked whole', asked: WHOLE, known: KNOWN, answer: head(200, { 'content-length': '1000', 'content-encoding': 'gzip', etag: '"v1"' }), kind: 'body', end: 1000 },
  { name: 'identity is no coding', asked: RANGE, known: KNOWN, answer: head(206, { 'content-range': 'bytes 100-199/1000', 'content-encoding': 'identity' }), kind: 'body', end: 200 },
  { name: '404, no', asked: RANGE, known: KNOWN, answer: head(404), kind: 'fail', reason: /404/ },
  { name: '403, no', asked: RANGE, known: KNOWN, answer: head(403), kind: 'fail' },
];

describe('range-answer classifier', () => {
  for (const row of TABLE) {
    it(row.name, () => {
      const verdict = classifyRangeAnswer(row.answer, row.asked, row.known);
      assert.equal(verdict.kind, row.kind, JSON.stringify(verdict));
      if (row.end !== undefined) assert.equal((verdict as { end: number | null }).end, row.end);
      if (row.reason) {
        const text = 'reason' in verdict ? verdict.reason : 'error' in verdict ? verdict.error.message : '';
        assert.match(text, row.reason);
      }
    });
  }

  it('keeps the server\'s Retry-After on a retry', () => {
    const verdict = classifyRangeAnswer(head(503, { 'retry-after': '7' }), RANGE, KNOWN);
    assert.equal(verdict.kind, 'retry');
    assert.equal((verdict as { error: { retryAfterMs?: number } }).error.retryAfterMs, 7000);
  });
});
