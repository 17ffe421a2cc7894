import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timeLeftOfAll } from '../../shared/time-left';

const MIB = 1024 * 1024;

describe('the time left of all running downloads', () => {
  it('is what is left over the speed of all', () => {
    assert.equal(timeLeftOfAll([{ size: 10 * MIB, bytesDone: 0, eta: 5 }, { size: 10 * MIB, bytesDone: 0, eta: 5 }], 4 * MIB), 5);
  });

  it('is never sooner than one download held to its own pace', () => {
    // 60 MiB left at 1 MiB/s in all says 60 s, but the slow one alone needs 123 s at its speed.
    const running = [{ size: 50 * MIB, bytesDone: 0, eta: 50 }, { size: 12 * MIB, bytesDone: 2 * MIB, eta: 123 }];
    assert.equal(timeLeftOfAll(running, MIB), 123);
  });

  it('cannot be said without speed or a known size', () => {
    assert.equal(timeLeftOfAll([{ size: 10 * MIB, bytesDone: 0, eta: null }], 0), null);
    assert.equal(timeLeftOfAll([{ size: null, bytesDone: 5, eta: null }], MIB), null);
  });
});
