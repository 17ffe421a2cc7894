import type { Migration } from './index';

/**
 * Sorting by name puts a download the server has not named yet by what its row shows, the last part of its URL's
 * path, not by its whole URL (which sorted a list of waiting downloads by host). `rtrim` by every character but
 * the slash strips the URL back to its last slash, so what `replace` leaves is the part after it. The
 * repository's ORDER BY for the name sort is this same expression, so a page is read off the index.
 */
export const sortByShownName: Migration = {
  version: 9,
  up: (db) => {
    db.exec(`
      DROP INDEX downloads_sort_name;
      CREATE INDEX downloads_sort_name ON downloads (COALESCE(name, replace(url, rtrim(url, replace(url, '/', '')), '')) COLLATE NOCASE, position);
    `);
  },
};
