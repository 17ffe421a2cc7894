import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReceiveWatch } from '../../electron/engine/receive-watch';
import { SegmentScheduler } from '../../electron/engine/segment-scheduler';
import { FakeClock } from '../support/fake-clock';

const MIB = 1024 * 1024;

describe('segment scheduler (fake clock)', () => {
  it('hands out unstarted segments first, then splits the one that will finish last by measured speed', () => {
    const clock = new FakeClock();
    const scheduler = new SegmentScheduler(clock);
    scheduler.plan(16 * MIB, true, 2);
    const a = scheduler.checkout()!;
    const b = scheduler.checkout()!;
    assert.deepEqual([a.start, b.start], [0, 8 * MIB]);
    a.beginConnection(clock.now());
    b.beginConnection(clock.now());
    clock.advance(1000);
    // `a` runs at 4 MiB/s, `b` at 1 MiB/s: `b` has less left but will finish last.
    a.received(4 * MIB);
    b.received(1 * MIB);
    const piece = scheduler.checkout()!;
    assert.equal(piece.end, 16 * MIB, 'the slow segment was split');
    assert.equal(b.end, piece.start);
    assert.equal(piece.start, 9 * MIB + Math.floor((7 * MIB) / 2));
  });

  it('cuts the running segment with the most left where it stands, for its connection to give back', () => {
    const clock = new FakeClock();
    const scheduler = new SegmentScheduler(clock);
    scheduler.plan(16 * MIB, true, 2);
    const a = scheduler.checkout()!;
    const b = scheduler.checkout()!;
    const ahead = 128 * 1024;
    assert.equal(scheduler.cutForHandover(ahead), null, 'nothing received yet: nothing to cut');
    a.received(6 * MIB);
    b.received(1 * MIB);
    const cut = scheduler.cutForHandover(ahead)!;
    assert.equal(cut, b, 'the one with more left');
    assert.equal(b.end, 9 * MIB + ahead, 'its connection stops just past where it stands');
    b.received(ahead);
    scheduler.release(b);
    const rest = scheduler.checkout()!;
    assert.deepEqual([rest.start, rest.end, rest.position], [9 * MIB + ahead, 16 * MIB, 9 * MIB + ahead], 'the rest waits for the next connection');
    // Under a minimum segment left, it is not worth a new request.
    a.received(2 * MIB - 1);
    rest.received(6 * MIB);
    assert.equal(scheduler.cutForHandover(ahead), null);
  });

  it('splits nothing smaller than two minimum segments, and nothing without ranges', () => {
    const clock = new FakeClock();
    const scheduler = new SegmentScheduler(clock);
    scheduler.plan(3 * MIB, true, 1);
    scheduler.checkout()!.received(1.5 * MIB);
    assert.equal(scheduler.checkout(), null);
    scheduler.plan(64 * MIB, false, 8);
    scheduler.checkout();
    assert.equal(scheduler.checkout(), null, 'one stream when the server takes no ranges');
  });

  it('keeps the boundaries of finished segments apart when asked (seams to verify), merged otherwise', () => {
    const scheduler = new SegmentScheduler(new FakeClock());
    scheduler.restore([
      { start: 0, end: MIB, done: MIB },
      { start: MIB, end: 2 * MIB, done: MIB },
      { start: 2 * MIB, end: 3 * MIB, done: 10 },
    ]);
    assert.equal(scheduler.written(true).length, 2);
    assert.equal(scheduler.written(false).length, 3);
  });
});

describe('receive watch (fake clock)', () => {
  it('cuts a silent server after the stall time, never while Braid itself is busy', () => {
    const clock = new FakeClock();
    const watch = new ReceiveWatch(new AbortController(), clock.now());
    watch.received(100, clock.now());
    clock.advance(60_000);
    assert.equal(watch.verdict(clock.now(), 20_000, 0), null, 'waiting on our own disk is not a stall');
    watch.ready(clock.now());
    clock.advance(19_999);
    assert.equal(watch.verdict(clock.now(), 20_000, 0), null);
    clock.advance(1);
    assert.match(watch.verdict(clock.now(), 20_000, 0)!.message, /no data from the server for 20 s/);
  });

  it('cuts a trickle below the minimum rate over a window, and the error does not count as progress', () => {
    const clock = new FakeClock();
    const watch = new ReceiveWatch(new AbortController(), clock.now());
    for (let i = 0; i < 20; i++) {
      clock.advance(1000);
      watch.received(10, clock.now());
      watch.ready(clock.now());
    }
    const why = watch.verdict(clock.now(), 20_000, 1024);
    assert.ok(why);
    assert.equal(why.code, 'TIMEOUT');
    assert.equal(why.countsAsProgress, false);
    assert.match(why.message, /trickled 200 B in 20 s/);
  });
});
