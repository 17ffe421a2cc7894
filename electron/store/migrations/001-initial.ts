import type { Migration } from './index';

export const initial: Migration = {
  version: 1,
  up: (db) => {
    db.exec(`
      CREATE TABLE downloads (
        id             INTEGER PRIMARY KEY,
        url            TEXT    NOT NULL,
        mirrors        TEXT    NOT NULL DEFAULT '[]',
        final_url      TEXT,
        folder         TEXT    NOT NULL,
        requested_name TEXT,
        name           TEXT,
        size           INTEGER,
        etag           TEXT,
        last_modified  TEXT,
        accept_ranges  INTEGER NOT NULL DEFAULT 0,
        status         TEXT    NOT NULL CHECK (status IN ('queued','active','paused','completed','failed')),
        stop_reason    TEXT,
        priority       INTEGER NOT NULL DEFAULT 0,
        position       INTEGER NOT NULL,
        options        TEXT    NOT NULL DEFAULT '{}',
        error_code     TEXT,
        error_message  TEXT,
        bytes_done     INTEGER NOT NULL DEFAULT 0,
        retries        INTEGER NOT NULL DEFAULT 0,
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL,
        completed_at   INTEGER
      );
      CREATE INDEX downloads_run_order ON downloads (status, priority DESC, position);
      CREATE INDEX downloads_position ON downloads (position);
      CREATE INDEX downloads_url ON downloads (url);
      CREATE INDEX downloads_folder_name ON downloads (folder, name);
      CREATE TABLE segments (
        download_id INTEGER NOT NULL REFERENCES downloads (id) ON DELETE CASCADE,
        start       INTEGER NOT NULL,
        end         INTEGER NOT NULL,
        done        INTEGER NOT NULL,
        PRIMARY KEY (download_id, start)
      ) WITHOUT ROWID;
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `);
  },
};
