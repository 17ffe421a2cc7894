import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEAM_WINDOW, SeamLedger } from '../../electron/engine/seam-check';

describe('SeamLedger', () => {
  it('reads a window across each seam, neighbouring ones merged, within the file', () => {
    const ledger = new SeamLedger();
    for (const join of [1_000_000, 1_004_000, 3_000_000, 5_000_000, 9_000_000]) ledger.add(join);
    const windows = ledger.windows(8_000_000);
    assert.deepEqual(windows, [
      { first: 1_000_000 - SEAM_WINDOW, last: 1_004_000 + SEAM_WINDOW - 1 },
      { first: 3_000_000 - SEAM_WINDOW, last: 3_000_000 + SEAM_WINDOW - 1 },
      { first: 5_000_000 - SEAM_WINDOW, last: 5_000_000 + SEAM_WINDOW - 1 },
    ]);
    ledger.clear();
    assert.deepEqual(ledger.windows(8_000_000), []);
  });
});
