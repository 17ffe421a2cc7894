import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pacedRead, TokenBucket } from '../../electron/engine/token-bucket';

const KIB = 1024;

describe('how much one read may bring', () => {
  it('is not capped without a speed limit: a read takes all the memory it is lent', () => {
    assert.equal(pacedRead([], 64 * KIB), Infinity);
    assert.equal(pacedRead([new TokenBucket(0), new TokenBucket(0)], 64 * KIB), Infinity);
  });

  it('is an eighth of a second at the lowest limit, within 1 KiB and the largest read', () => {
    assert.equal(pacedRead([new TokenBucket(0), new TokenBucket(80 * KIB)], 64 * KIB), 10 * KIB);
    assert.equal(pacedRead([new TokenBucket(800 * KIB), new TokenBucket(160 * KIB)], 64 * KIB), 20 * KIB);
    assert.equal(pacedRead([new TokenBucket(2 * KIB)], 64 * KIB), KIB, 'never below 1 KiB');
    assert.equal(pacedRead([new TokenBucket(100 * 1024 * KIB)], 64 * KIB), 64 * KIB, 'never above the largest read');
  });

  it('follows a limit changed while reading', () => {
    const bucket = new TokenBucket(80 * KIB);
    assert.equal(pacedRead([bucket], 64 * KIB), 10 * KIB);
    bucket.setRate(0);
    assert.equal(pacedRead([bucket], 64 * KIB), Infinity);
  });
});
