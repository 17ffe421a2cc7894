import type { Migration } from './index';

/**
 * A download added with a name (the browser extension's, from the page; the Add dialog's) shows that name while it
 * waits, before the server has named the file: sorting by name follows what the row shows, so the index is on the
 * server's name, else the one asked for, else the last part of the URL's path. The repository's ORDER BY for the
 * name sort is this same expression, so a page is read off the index.
 */
export const sortByAskedName: Migration = {
  version: 11,
  up: (db) => {
    db.exec(`
      DROP INDEX downloads_sort_name;
      CREATE INDEX downloads_sort_name ON downloads (COALESCE(name, requested_name, replace(url, rtrim(url, replace(url, '/', '')), '')) COLLATE NOCASE, position);
    `);
  },
};
