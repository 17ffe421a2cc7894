import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BraidError } from '../../electron/engine/errors';
import { isLinkRefusal, linkFailure } from '../../electron/engine/link-expiry';
import { sampleWindows } from '../../electron/engine/sample-windows';

describe('what says a signed link expired', () => {
  it('takes 401, 403, 404 and 410 for a refusal, and not a busy or broken server', () => {
    for (const status of [401, 403, 404, 410]) assert.ok(isLinkRefusal(status, null), String(status));
    for (const status of [200, 206, 416, 429, 500, 503]) assert.ok(!isLinkRefusal(status, null), String(status));
  });

  it("reads a 400's body: an object store's expired signature, not any bad request", () => {
    assert.ok(isLinkRefusal(400, '<?xml version="1.0"?><Error><Code>ExpiredToken</Code></Error>'));
    assert.ok(isLinkRefusal(400, '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'));
    assert.ok(isLinkRefusal(400, 'Request has expired'));
    assert.ok(!isLinkRefusal(400, '<Error><Code>InvalidArgument</Code></Error>'));
    assert.ok(!isLinkRefusal(400, null));
  });

  it('calls a 403 or 410 with no redirect behind it LINK_EXPIRED, naming the refresh; other refusals stay as they were', () => {
    const e = linkFailure(new BraidError('HTTP_ERROR', 'the server answered 410 Gone', { status: 410 }), 12);
    assert.equal(e.code, 'LINK_EXPIRED');
    assert.match(e.message, /the link expired/);
    assert.match(e.message, /braid refresh 12 URL/);
    const notFound = new BraidError('HTTP_ERROR', 'the server answered 404 Not Found', { status: 404 });
    assert.equal(linkFailure(notFound, 12), notFound);
  });
});

describe('sample windows of the bytes on disk', () => {
  it('spreads windows from the first done bytes to the last, each inside one done range', () => {
    const done = [
      { start: 0, end: 100_000 },
      { start: 200_000, end: 200_000 },
      { start: 300_000, end: 350_000 },
    ];
    const windows = sampleWindows(done, 5, 16_384);
    assert.equal(windows[0]!.first, 0);
    assert.equal(windows.at(-1)!.last, 349_999);
    for (const w of windows) {
      assert.ok(done.some((r) => w.first >= r.start && w.last < r.end), JSON.stringify(w));
      assert.ok(w.last - w.first + 1 <= 16_384);
    }
    assert.ok(windows.length >= 4);
  });

  it('keeps windows inside a range smaller than one window, and gives none when nothing is on disk', () => {
    assert.deepEqual(sampleWindows([{ start: 10, end: 20 }], 3, 4096), [{ first: 10, last: 19 }]);
    assert.deepEqual(sampleWindows([{ start: 5, end: 5 }], 3, 4096), []);
  });
});
