import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertCompletedWith, makeRig, runDownloads } from '../support/harness';
import { TestOrigin } from '../support/origin';
import { changedHandle, fileSystemWithHandles } from '../support/changed-handle';

const MIB = 1024 * 1024;

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
    const rig = await makeRig({ fs: fileSystemWithHandles((handle) =>
        changedHandle(handle, {
          write: (buffer, length, position) => {
            lengths.push(length);
            return handle.write(buffer, length, position);
          },
        }),
      ), overrides: { segments: 4 }, timing: { checkpointMs: 60_000 } });
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
});
