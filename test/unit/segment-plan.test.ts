import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseSplit, compactSegments, MIB, planSegments } from '../../electron/engine/segment-plan';

describe('planSegments', () => {
  it('splits into near-equal contiguous ranges covering the file', () => {
    const ranges = planSegments(100 * MIB + 7, 8);
    assert.equal(ranges.length, 8);
    assert.equal(ranges[0]!.start, 0);
    assert.equal(ranges.at(-1)!.end, 100 * MIB + 7);
    for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i]!.start, ranges[i - 1]!.end);
  });
  it('never plans a segment under the minimum', () => {
    assert.equal(planSegments(3 * MIB + 5, 8).length, 3);
    assert.equal(planSegments(MIB / 2, 8).length, 1);
    for (const r of planSegments(5 * MIB, 32)) assert.ok(r.end - r.start >= MIB);
  });
});

describe('chooseSplit', () => {
  it('takes the segment that will finish last, not the one with most bytes', () => {
    const split = chooseSplit([
      { position: 0, end: 10 * MIB, speed: 10 * MIB }, // 1 s left
      { position: 20 * MIB, end: 24 * MIB, speed: MIB }, // 4 s left
    ]);
    assert.deepEqual(split, { index: 1, at: 22 * MIB });
  });
  it('refuses to split below twice the minimum', () => {
    assert.equal(chooseSplit([{ position: 0, end: 2 * MIB - 1, speed: 1 }]), null);
    assert.notEqual(chooseSplit([{ position: 0, end: 2 * MIB, speed: 1 }]), null);
  });
});

describe('compactSegments', () => {
  it('merges neighbouring finished segments and keeps unfinished ones apart', () => {
    const out = compactSegments([
      { start: 10, end: 20, done: 10 },
      { start: 0, end: 10, done: 10 },
      { start: 20, end: 30, done: 3 },
      { start: 30, end: 40, done: 10 },
    ]);
    assert.deepEqual(out, [
      { start: 0, end: 20, done: 20 },
      { start: 20, end: 30, done: 3 },
      { start: 30, end: 40, done: 10 },
    ]);
  });
});
