import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeBufferSize } from '../../electron/engine/buffer-pool';
import { assertCompletedWith, makeRig, runDownloads } from '../support/harness';
import { TestOrigin } from '../support/origin';
import { changedHandle, fileSystemWithHandles } from '../support/changed-handle';

const MIB = 1024 * 1024;

/** The real file system, with the length of every write to a `.part` file pushed onto `lengths`. */
function countingWrites(lengths: number[]) {
  return fileSystemWithHandles((handle) =>
    changedHandle(handle, {
      write: (buffer, length, position) => {
        lengths.push(length);
        return handle.write(buffer, length, position);
      },
    }),
  );
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
      assert.ok(rig.engine.stats().reservedMemory === 0, 'every buffer came back');
    } finally {
      await rig.cleanup();
    }
  });

  it('sizes buffers for four to a download and sixteen to the budget, from 256 KiB to 1 MiB', () => {
    assert.equal(writeBufferSize(4 * MIB, 64 * MIB), MIB);
    assert.equal(writeBufferSize(64 * MIB, 64 * MIB), MIB);
    assert.equal(writeBufferSize(2 * MIB, 64 * MIB), 512 * 1024);
    assert.equal(writeBufferSize(3 * MIB, 64 * MIB), 512 * 1024);
    assert.equal(writeBufferSize(4 * MIB, 8 * MIB), 512 * 1024);
    assert.equal(writeBufferSize(64 * 1024, 64 * MIB), 256 * 1024);
    assert.equal(writeBufferSize(4 * MIB, MIB), 256 * 1024);
  });
});
