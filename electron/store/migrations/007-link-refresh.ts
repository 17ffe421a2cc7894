import type { Migration } from './index';

/**
 * When a download's link was last refreshed and by whom: from its own URL after a signed link expired, or by the
 * user giving it a new URL. Shown in the detail panel; nothing of the refreshed link itself is kept.
 */
export const linkRefresh: Migration = {
  version: 7,
  up: (db) => {
    db.exec(`ALTER TABLE downloads ADD COLUMN link_refreshed_at INTEGER`);
    db.exec(`ALTER TABLE downloads ADD COLUMN link_refreshed_by TEXT`);
  },
};
