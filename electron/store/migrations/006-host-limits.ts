import type { Migration } from './index';

/**
 * What Braid learned of each server's limit on connections, so the next download from it starts with as many
 * as it allows instead of learning again from refusals.
 */
export const hostLimits: Migration = {
  version: 6,
  up: (db) => {
    db.exec(`CREATE TABLE host_limits (
      host TEXT PRIMARY KEY,
      connections INTEGER NOT NULL CHECK (connections >= 1),
      learned_at INTEGER NOT NULL
    ) STRICT`);
  },
};
