import type { Migration } from './index';

/**
 * Which of a download's URLs (its own or a mirror) the bytes on disk came from, so a restart resumes from that
 * server and never continues one server's file with another's bytes. NULL means the download's own URL.
 */
export const sourceUrl: Migration = {
  version: 3,
  up: (db) => {
    db.exec(`ALTER TABLE downloads ADD COLUMN source_url TEXT`);
  },
};
