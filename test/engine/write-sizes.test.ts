import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nodeFileSystem } from '../../electron/engine/part-file';
import type { FileSystemPort, PartFileHandle } from '../../electron/engine/ports';
import { assertCompletedWith, makeRig, runDownloads } from '../support/harness';
import { TestOrigin } from '../support/origin';

const MIB = 1024 * 1024;

/** The real file system, with the length of every write to a `.part` file recorded. */
function countingWrites(lengths: number[]): FileSystemPort {
  const counted = async (open: Promise<PartFileHandle>): Promise<PartFileHandle> => {
    const handle = await open;
    return {
      write: (buffer, length, position) => {
        lengths.push(length);
        return handle.write(buffer, length, position);
      },
      read: (buffer, length, position) => handle.read(buffer, length, position),
      identity: () => handle.identity(),
      datasync: () => handle.datasync(),
      truncate: (size) => handle.truncate(size),
      reserve: (size) => handle.reserve(size),
      size: () => handle.size(),
      close: () => handle.close(),
    };
  };
  return {
    ...nodeFileSystem,
    createExclusive: (path) => counted(nodeFileSystem.createExclusive(path)),
    openExisting: (path) => counted(nodeFileSystem.openExisting(path)),
  };
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
});
