import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertCompletedWith, makeRig, waitFor } from '../support/harness';
import { FakeClock } from '../support/fake-clock';
import { TestOrigin } from '../support/origin';

const MIB = 1024 * 1024;

/** Moves the fake clock `stepMs` every few real milliseconds until `done` says so (bounded by count). */
async function drive(clock: FakeClock, stepMs: number, done: () => boolean, maxSteps = 2000): Promise<void> {
  for (let i = 0; i < maxSteps && !done(); i++) {
    clock.advance(stepMs);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(done(), 'finished within the steps allowed');
}

describe('engine time on a fake clock', () => {
  let origin: TestOrigin;
  before(async () => {
    origin = await new TestOrigin().start();
  });
  after(async () => {
    await origin.close();
  });

  it('cuts a connection after a one-minute stall without waiting a real minute, and resumes', async () => {
    const data = origin.file('/stall-minute.bin', 4 * MIB, { stallAfter: 512 * 1024, stallTimes: 1 });
    const clock = new FakeClock();
    const rig = await makeRig({ clock, overrides: { segments: 1 }, timing: { stallTimeoutMs: 60_000, checkpointMs: 1000 } });
    const [added] = await rig.engine.add([{ url: origin.url('/stall-minute.bin') }]);
    const id = (added as { id: number }).id;
    rig.engine.start();
    await waitFor(() => origin.requests('/stall-minute.bin').some((r) => r.method === 'GET'), 5000, 'the first GET');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(rig.repo.get(id)!.status, 'active', 'still waiting on the stalled server');
    await drive(clock, 1000, () => rig.repo.get(id)!.status !== 'active');
    const rec = rig.repo.get(id)!;
    await assertCompletedWith(rec, data);
    const gets = origin.requests('/stall-minute.bin').filter((r) => r.method === 'GET');
    assert.equal(gets[1]!.range, `bytes=${512 * 1024}-${4 * MIB - 1}`, 'the second request resumes where the stall began');
    assert.match(rec.retryLog[0]!.message, /no data from the server for 60 s/);
    await rig.cleanup();
  });

  it('commits progress only when a checkpoint is due, and then what reached the disk', async () => {
    origin.file('/checkpoint.bin', 8 * MIB, { stallAfter: 3 * MIB, stallTimes: 1 });
    const clock = new FakeClock();
    const rig = await makeRig({ clock, overrides: { segments: 1 }, timing: { stallTimeoutMs: 600_000, checkpointMs: 5000 } });
    const [added] = await rig.engine.add([{ url: origin.url('/checkpoint.bin') }]);
    const id = (added as { id: number }).id;
    rig.engine.start();
    await waitFor(() => (rig.engine.runningJob(id)?.received ?? 0) >= 3 * MIB, 5000, '3 MiB to arrive');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(rig.repo.get(id)!.bytesDone, 0, 'no time passed: nothing committed yet');
    clock.advance(4999);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(rig.repo.get(id)!.bytesDone, 0, 'still not due');
    clock.advance(1);
    await waitFor(() => rig.repo.get(id)!.bytesDone > 0, 5000, 'the checkpoint');
    assert.equal(rig.repo.get(id)!.bytesDone, 3 * MIB, 'everything received, flushed and committed');
    await rig.cleanup();
  });

  it('checkpoints early once enough bytes arrived since the last checkpoint, with no time passing', async () => {
    // Sent at 8 MiB/s, so the file's writes keep up with what arrives.
    origin.file('/checkpoint-bytes.bin', 8 * MIB, { stallAfter: 3 * MIB, stallTimes: 1, rate: 8 * MIB });
    const clock = new FakeClock();
    const timing = { stallTimeoutMs: 600_000, checkpointMs: 60_000, checkpointBytes: 1 * MIB };
    const rig = await makeRig({ clock, overrides: { segments: 1 }, timing });
    const [added] = await rig.engine.add([{ url: origin.url('/checkpoint-bytes.bin') }]);
    const id = (added as { id: number }).id;
    try {
      rig.engine.start();
      await waitFor(() => (rig.engine.runningJob(id)?.received ?? 0) >= 3 * MIB, 5000, '3 MiB to arrive');
      // The clock never moved: only the bytes can have started a checkpoint. It commits what was on disk then,
      // which is up to a write buffer short of what had arrived.
      await waitFor(() => rig.repo.get(id)!.bytesDone >= 1 * MIB, 5000, 'a checkpoint started by bytes');
      assert.ok(rig.repo.get(id)!.bytesDone <= 3 * MIB, 'never more than arrived');
    } finally {
      await rig.cleanup();
    }
  });
});
