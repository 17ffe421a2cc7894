import type { Migration } from './index';

/**
 * Indexes for the queue's other sort orders, so a page of a long queue sorted by name, size or status is read
 * in order instead of sorting every row for each page. Each ends in `position`, the tie-breaker of every sort.
 */
export const sortIndexes: Migration = {
  version: 4,
  up: (db) => {
    db.exec(`
      CREATE INDEX downloads_sort_name ON downloads (COALESCE(name, url) COLLATE NOCASE, position);
      CREATE INDEX downloads_sort_size ON downloads (size, position);
      CREATE INDEX downloads_sort_status ON downloads (status, position);
    `);
  },
};
