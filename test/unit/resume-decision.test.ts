import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProbeResult } from '../../electron/engine/probe';
import { decideResume, type StoredState } from '../../electron/engine/resume-decision';

const URL_A = 'http://127.0.0.1:1/a.bin';
const MIRROR = 'http://127.0.0.1:2/a.bin';

function probe(over: Partial<ProbeResult> = {}): ProbeResult {
  return { finalUrl: URL_A, size: 1000, acceptRanges: true, etag: '"v1"', lastModified: null, date: null, filename: null, ...over };
}

function stored(over: Partial<StoredState['record']> = {}, rest: Partial<Omit<StoredState, 'record'>> = {}): StoredState {
  return {
    record: { url: URL_A, sourceUrl: null, name: 'a.bin', size: 1000, etag: '"v1"', lastModified: null, acceptRanges: true, ...over },
    plannedSegments: 4,
    partSize: 1000,
    ...rest,
  };
}

describe('resume decision', () => {
  it('resumes the same file from the same server', () => {
    assert.deepEqual(decideResume(stored(), URL_A, probe(), false), { kind: 'resume' });
  });
  it('starts fresh when nothing was planned or nothing is named', () => {
    assert.equal(decideResume(stored({}, { plannedSegments: 0 }), URL_A, probe(), false).kind, 'fresh');
    assert.equal(decideResume(stored({ name: null }), URL_A, probe(), false).kind, 'fresh');
  });
  it('starts fresh when the .part is gone before the plan was done', () => {
    assert.equal(decideResume(stored({}, { partSize: null }), URL_A, probe(), false).kind, 'fresh');
  });
  it('is finished when the plan was done and the .part is gone (placed, not yet committed)', () => {
    assert.equal(decideResume(stored({}, { partSize: null }), URL_A, probe(), true).kind, 'finished');
  });
  it('starts over when the .part is not the size it was made with (cut or grown outside Braid)', () => {
    assert.match((decideResume(stored({}, { partSize: 400 }), URL_A, probe(), false) as { reason: string }).reason, /400 bytes, not the 1000/);
    assert.equal(decideResume(stored({}, { partSize: 1200 }), URL_A, probe(), false).kind, 'start-over');
  });
  it('starts over on a new ETag, a new size or a new Last-Modified', () => {
    assert.match((decideResume(stored(), URL_A, probe({ etag: '"v2"' }), false) as { reason: string }).reason, /ETag/);
    assert.match((decideResume(stored(), URL_A, probe({ size: 999 }), false) as { reason: string }).reason, /size/);
    const lm = stored({ etag: null, lastModified: 'Thu, 01 Jan 2026 00:00:00 GMT' });
    assert.equal(decideResume(lm, URL_A, probe({ etag: null, lastModified: 'Fri, 02 Jan 2026 00:00:00 GMT' }), false).kind, 'start-over');
  });
  it('never continues one server\'s bytes with another\'s', () => {
    assert.equal(decideResume(stored(), MIRROR, probe(), false).kind, 'start-over');
    assert.equal(decideResume(stored({ sourceUrl: MIRROR }), MIRROR, probe(), false).kind, 'resume');
  });
  it('starts over when ranges are gone or the size was never known', () => {
    assert.equal(decideResume(stored(), URL_A, probe({ acceptRanges: false }), false).kind, 'start-over');
    assert.equal(decideResume(stored({ acceptRanges: false }), URL_A, probe(), false).kind, 'start-over');
    assert.equal(decideResume(stored({ size: null }), URL_A, probe({ size: null }), false).kind, 'start-over');
  });
});
