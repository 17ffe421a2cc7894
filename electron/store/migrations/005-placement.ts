import type { Migration } from './index';

/**
 * The final name a finished `.part` is being linked to and the file's identity, written before the link: a
 * crash between linking and committing `completed` is then finished by identity on the next start.
 */
export const placement: Migration = {
  version: 5,
  up: (db) => {
    db.exec(`ALTER TABLE downloads ADD COLUMN placing TEXT`);
  },
};
