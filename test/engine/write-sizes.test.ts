import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BufferPools, writeBufferSize } from '../../electron/engine/buffer-pool';
import { assertCompletedWith, makeRig, runDownloads, waitForReceived } from '../support/harness';
import { TestOrigin } from '../support/origin';
import { fileSystemWatchingWrites } from '../support/changed-handle';

const MIB = 1024 * 1024;

/** The real file system, with the length of every write to a `.part` file pushed onto `lengths`. */
function countingWrites(lengths: number[]) {
  return fileSystemWatchingWrites((_buffer, length) => {
    lengths.push(length);
  });
}

describe('write sizes', () => {
  let origin: TestOrigin;
  before(async () => {
    origin = await new TestOrigin().start();
  });
  after(async () => {
    await origin.close();
  });

  it('writes a fast download in few large writes, within the default per-download memory', async () => {
    // Every write costs a system call, a disk request and a callback whatever its length: the count is the cost.
    const size = 32 * MIB;
    const data = origin.file('/large-writes.bin', size);
    const lengths: number[] = [];
    // No checkpoint during the run: a checkpoint writes buffers early, on purpose.
    const rig = await makeRig({ fs: countingWrites(lengths), overrides: { segments: 4 }, timing: { checkpointMs: 60_000 } });
    try {
      const [rec] = await runDownloads(rig, [{ url: origin.url('/large-writes.bin') }]);
      await assertCompletedWith(rec!, data);
      assert.ok(lengths.length <= 2 * (size / MIB), `${lengths.length} writes for ${size / MIB} MiB: ${lengths.slice(0, 12).join(', ')}…`);
      const inLarge = lengths.filter((n) => n >= MIB / 2).reduce((sum, n) => sum + n, 0);
      assert.ok(inLarge >= size * 0.75, `${(inLarge / MIB).toFixed(1)} of ${size / MIB} MiB went in writes of 512 KiB or more`);
    } finally {
      await rig.cleanup();
    }
  });

  it('gets smaller buffers under a smaller per-download cap, set while the engine runs', async () => {
    // Four buffers a download: with fewer than its connections, the rest of its sockets would wait.
    const lengths: number[] = [];
    const rig = await makeRig({
      fs: countingWrites(lengths),
      overrides: { segments: 4 },
      timing: { checkpointMs: 60_000 },
    });
    try {
      const first = origin.file('/before.bin', 8 * MIB);
      const [before] = await runDownloads(rig, [{ url: origin.url('/before.bin') }]);
      await assertCompletedWith(before!, first);
      assert.ok(Math.max(...lengths) > 512 * 1024, `the default cap of 4 MiB: 1 MiB buffers (${Math.max(...lengths)})`);
      lengths.length = 0;
      await rig.engine.setSettings({ perDownloadMemory: MIB });
      const second = origin.file('/after.bin', 8 * MIB);
      const [after] = await runDownloads(rig, [{ url: origin.url('/after.bin') }]);
      await assertCompletedWith(after!, second);
      assert.ok(Math.max(...lengths) <= 256 * 1024, `a cap of 1 MiB: 256 KiB buffers (${Math.max(...lengths)})`);
      assert.equal(rig.engine.stats().reservedMemory, 0, 'every buffer came back');
    } finally {
      await rig.cleanup();
    }
  });

  it('sizes buffers so that each connection holds one: 1 MiB, 512 KiB or 256 KiB, and the budget sixteen', () => {
    assert.equal(writeBufferSize(4 * MIB, 64 * MIB, 4), MIB);
    assert.equal(writeBufferSize(4 * MIB, 64 * MIB, 8), 512 * 1024);
    assert.equal(writeBufferSize(4 * MIB, 64 * MIB, 16), 256 * 1024);
    assert.equal(writeBufferSize(8 * MIB, 64 * MIB, 8), MIB);
    assert.equal(writeBufferSize(4 * MIB, 8 * MIB, 4), 512 * 1024);
    assert.equal(writeBufferSize(64 * 1024, 64 * MIB, 8), 256 * 1024);
    assert.equal(writeBufferSize(4 * MIB, MIB, 1), 256 * 1024);
  });

  it('keeps one account of buffers of every size: what they hold together, its peak, and idle within the budget', () => {
    const pools = new BufferPools(() => 16 * MIB);
    const large = pools.forDownload(4 * MIB, 4);
    const small = pools.forDownload(4 * MIB, 16);
    assert.deepEqual([large.size, small.size], [MIB, 256 * 1024]);
    const taken = Array.from({ length: 16 }, () => large.get());
    const one = small.get();
    assert.equal(pools.allocatedBytes, 16 * MIB + 256 * 1024);
    for (const buffer of taken) large.put(buffer);
    // Sixteen idle large buffers fill the 16 MiB budget: a small one coming back is let go.
    small.put(one);
    assert.equal(pools.allocatedBytes, 16 * MIB);
    assert.equal(pools.peakBytes, 16 * MIB + 256 * 1024);
    pools.release();
    assert.equal(pools.allocatedBytes, 0);
  });

  it('keeps fast connections going while slow ones of the same download fill their buffers', async () => {
    // Half of the file comes at 128 KiB/s a connection, half as fast as loopback goes: a slow connection holds
    // its buffer for seconds, and must not hold the memory the fast ones need.
    const size = 32 * MIB;
    origin.file('/convoy.bin', size, { rangeRate: (start) => (start < size / 2 ? 128 * 1024 : undefined) });
    const rig = await makeRig({ overrides: { segments: 8 }, timing: { stallTimeoutMs: 30_000 } });
    try {
      const [added] = await rig.engine.add([{ url: origin.url('/convoy.bin') }]);
      const id = added!.ok ? added!.id : assert.fail();
      rig.engine.start();
      // The fast half alone is 16 MiB; with the slow connections holding every buffer, 10 s would bring ~5 MiB.
      await waitForReceived(rig, id, 12 * MIB, 10_000, 'the fast half of the file');
    } finally {
      await rig.cleanup();
    }
  });
});
