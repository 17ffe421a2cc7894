import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRangeAnswer, parseContentRange, parseUnsatisfiedRange } from '../../electron/engine/content-range';
import { LinkRefused } from '../../electron/engine/link-expiry';
import { statusError } from '../../electron/engine/response';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter } from '../../electron/engine/retry-delay';
import { TokenBucket } from '../../electron/engine/token-bucket';
import { ifRangeValue, versionChange } from '../../electron/engine/validators';

describe('Content-Range', () => {
  it('parses a single range', () => {
    assert.deepEqual(parseContentRange('bytes 0-99/1000'), { first: 0, last: 99, complete: 1000 });
    assert.deepEqual(parseContentRange('bytes 5-9/*'), { first: 5, last: 9, complete: null });
  });
  it('rejects what must never be written', () => {
    for (const bad of ['bytes 9-5/100', 'bytes 0-99/99', 'items 0-9/100', 'bytes 0-99999999999999999/1', 'bytes 0-9', '', 'bytes=0-9/100']) {
      assert.equal(parseContentRange(bad), null, bad);
    }
    assert.equal(parseContentRange(`bytes 0-1/${Number.MAX_SAFE_INTEGER + 2}`), null);
  });
  it('checks the answer against the question', () => {
    const asked = { first: 100, last: 199 };
    assert.equal(checkRangeAnswer(parseContentRange('bytes 100-199/1000'), asked, 1000), null);
    assert.equal(checkRangeAnswer(parseContentRange('bytes 100-149/1000'), asked, 1000), null, 'a shorter range is allowed');
    assert.match(checkRangeAnswer(parseContentRange('bytes 101-199/1000'), asked, 1000)!, /starts at 101/);
    assert.match(checkRangeAnswer(parseContentRange('bytes 100-299/1000'), asked, 1000)!, /past the asked/);
    assert.match(checkRangeAnswer(parseContentRange('bytes 100-199/2000'), asked, 1000)!, /size changed/);
    assert.match(checkRangeAnswer(null, asked, 1000)!, /missing/);
  });
  it('reads the size of a 416', () => {
    assert.equal(parseUnsatisfiedRange('bytes */1234'), 1234);
    assert.equal(parseUnsatisfiedRange('bytes 0-1/2'), null);
  });
});

describe('status errors', () => {
  it("say the status's standard phrase when the server sends none, and the server's own when it does", () => {
    assert.match(statusError({ status: 404, statusMessage: '', headers: {} }).message, /404 Not Found/);
    assert.match(statusError({ status: 404, statusMessage: 'Gone Fishing', headers: {} }).message, /404 Gone Fishing/);
    assert.match(new LinkRefused('http://h/x', 403, '').message, /answered 403 Forbidden$/);
    assert.match(statusError({ status: 599, statusMessage: '', headers: {} }).message, /599/);
  });
});

describe('If-Range and version changes', () => {
  it('uses a strong ETag, never a weak one', () => {
    assert.equal(ifRangeValue({ etag: '"abc"', lastModified: 'Tue, 01 Jan 2026 00:00:00 GMT', size: 1 }), '"abc"');
    assert.equal(ifRangeValue({ etag: 'W/"abc"', lastModified: 'Tue, 01 Jan 2026 00:00:00 GMT', size: 1 }), null);
  });
  it('uses a date only when it is strong', () => {
    const lm = 'Thu, 01 Jan 2026 00:00:00 GMT';
    assert.equal(ifRangeValue({ etag: null, lastModified: lm, size: 1 }, 'Thu, 01 Jan 2026 00:00:05 GMT'), lm);
    assert.equal(ifRangeValue({ etag: null, lastModified: lm, size: 1 }, 'Thu, 01 Jan 2026 00:00:00 GMT'), null);
  });
  it('sees a new size or validator as a new version', () => {
    const v = { etag: '"a"', lastModified: null, size: 10 };
    assert.equal(versionChange(v, { etag: '"a"', lastModified: null, size: 10 }), null);
    assert.match(versionChange(v, { etag: '"b"', lastModified: null, size: 10 })!, /ETag/);
    assert.match(versionChange(v, { etag: '"a"', lastModified: null, size: 11 })!, /size/);
  });
});

describe('retry policy', () => {
  it('reads Retry-After as seconds or a date', () => {
    assert.equal(parseRetryAfter('120'), 120_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('soon'), null);
  });
  it('backs off exponentially with jitter up to a ceiling', () => {
    assert.equal(backoffDelay(1, DEFAULT_RETRY, () => 0), 250);
    assert.equal(backoffDelay(3, DEFAULT_RETRY, () => 1), 2000);
    assert.ok(backoffDelay(30, DEFAULT_RETRY, () => 1) <= DEFAULT_RETRY.maxDelayMs);
  });
});

describe('TokenBucket', () => {
  it('lets a burst through, then paces at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(1000, 500, () => now);
    assert.equal(bucket.take(500), 0);
    assert.equal(bucket.take(1000), 1000, 'a second for 1000 more bytes at 1000 B/s');
    now = 1000;
    assert.equal(bucket.take(100), 100);
  });
  it('does not limit at rate 0', () => {
    const bucket = new TokenBucket(0);
    assert.equal(bucket.take(1e12), 0);
  });
});
