import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpeedMeter } from '../../electron/engine/speed-meter';
import { formatDuration } from '../../shared/format';

describe('speed meter', () => {
  it('comes down to exactly 0 when nothing more arrives, so a stalled download has no time left to show', () => {
    const meter = new SpeedMeter();
    meter.sample(1000);
    meter.add(100 * 1024 * 1024);
    meter.sample(2000);
    assert.equal(meter.speed, 100 * 1024 * 1024);
    let ticks = 0;
    for (let t = 2250; meter.speed > 0 && ticks < 1000; t += 250) {
      meter.sample(t);
      ticks++;
    }
    assert.equal(meter.speed, 0, 'a speed that decays for ever');
    console.log(`# 100 MiB/s comes to 0 B/s in ${ticks} ticks of nothing`);
  });

  it('is 0 once nothing has arrived for 5 s, whatever it was before', () => {
    const meter = new SpeedMeter();
    meter.sample(1000);
    meter.add(100 * 1024 * 1024);
    meter.sample(2000);
    for (let t = 2250; t < 7000; t += 250) {
      meter.sample(t);
      assert.ok(meter.speed > 0, `still coming down at ${t} ms`);
    }
    meter.sample(7000);
    assert.equal(meter.speed, 0);
    meter.add(1000);
    meter.sample(7250);
    assert.equal(meter.speed, 4000, 'bytes again: a speed again');
  });

  it('writes long times left in days', () => {
    assert.equal(formatDuration(59), '59s');
    assert.equal(formatDuration(3 * 3600 + 5 * 60), '3h05m');
    assert.equal(formatDuration(3 * 86400 + 4 * 3600 + 59), '3d04h');
  });
});
