import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeRig } from '../support/harness';

const MIB = 1024 * 1024;

describe('settings that contradict each other', () => {
  it('refuses more memory for one download than for all of them, and still starts on such settings stored before', async () => {
    const rig = await makeRig();
    const before = await rig.engine.getSettings();
    const refusal = rig.engine.setSettings({ perDownloadMemory: 100 * MIB, memoryBudget: 8 * MIB });
    await assert.rejects(refusal, /memory per download \(100 MiB\) cannot be more than the memory for all downloads \(8 MiB\)/);
    // Lowering only the budget under the download's share is the same contradiction.
    await assert.rejects(rig.engine.setSettings({ memoryBudget: before.perDownloadMemory / 2 }), /cannot be more than/);
    const unchanged = await rig.engine.getSettings();
    const both = await rig.engine.setSettings({ perDownloadMemory: 8 * MIB, memoryBudget: 8 * MIB });
    // Written by an earlier Braid that had no such rule: the engine starts on it.
    rig.repo.saveSettings({ ...both, perDownloadMemory: 16 * MIB });
    await rig.stop();
    const again = await makeRig({ dir: rig.dir });
    const loaded = await again.engine.getSettings();
    await again.cleanup();
    assert.deepEqual([unchanged.perDownloadMemory, unchanged.memoryBudget], [before.perDownloadMemory, before.memoryBudget]);
    assert.deepEqual([both.perDownloadMemory, both.memoryBudget], [8 * MIB, 8 * MIB]);
    assert.deepEqual([loaded.perDownloadMemory, loaded.memoryBudget], [16 * MIB, 8 * MIB]);
  });
});
