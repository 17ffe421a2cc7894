// A small speed limit holds from the first byte: no connection brings a read buffer's worth (64 KiB, over half a
// minute of a 2 KiB/s limit) before pacing can hold it back, neither on a new connection nor on one the probe
// used before it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeRig } from '../support/harness';
import { TestOrigin } from '../support/origin';

const KIB = 1024;

describe('a small speed limit', () => {
  let origin: TestOrigin;
  before(async () => {
    origin = await new TestOrigin().start();
  });
  after(async () => {
    await origin.close();
  });

  it('lets no more than a few KiB ahead of it through at the start of eight connections', async () => {
    origin.file('/limited.bin', 4 * 1024 * KIB);
    const rig = await makeRig({ overrides: { segments: 8 } });
    try {
      const [added] = await rig.engine.add([{ url: origin.url('/limited.bin'), options: { speedLimit: 2 * KIB } }]);
      const id = (added as { id: number }).id;
      const started = Date.now();
      rig.engine.start();
      // Long enough for every connection's first reads, and short enough that the limit itself allows little.
      await new Promise((r) => setTimeout(r, 2000));
      const { items } = await rig.engine.list({ limit: 10 });
      const received = items.find((d) => d.id === id)!.bytesDone;
      const seconds = (Date.now() - started) / 1000;
      // The limit over the time, its quarter-second burst, and a 1 KiB read per connection before pacing.
      const allowed = 2 * KIB * seconds + 4 * KIB + 8 * KIB;
      console.log(`# 2 KiB/s over 8 connections: ${(received / KIB).toFixed(1)} KiB in ${seconds.toFixed(1)} s (at most ${(allowed / KIB).toFixed(1)})`);
      assert.ok(received <= 2 * allowed, `${received} bytes in ${seconds} s at 2 KiB/s`);
      assert.ok(received > 0, 'nothing arrived at all');
    } finally {
      await rig.cleanup();
    }
  });
});
