import type { Migration } from './index';

/** Why each retry happened (time, code, message), so the detail panel can show the history. */
export const retryLog: Migration = {
  version: 2,
  up: (db) => {
    db.exec(`ALTER TABLE downloads ADD COLUMN retry_log TEXT NOT NULL DEFAULT '[]'`);
  },
};
