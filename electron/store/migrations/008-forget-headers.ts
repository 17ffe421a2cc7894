import type { Migration } from './index';

/**
 * A download's extra headers (a browser's cookies, an API key from a list) are kept only while it may still
 * send requests: when it completes, the database forgets them. A trigger, so every path to `completed` (the
 * engine's finishing, a restart's reconciliation) does it in the same transaction. A removed download's row
 * goes with its headers.
 */
export const forgetHeaders: Migration = {
  version: 8,
  up: (db) => {
    db.exec(`
      CREATE TRIGGER forget_headers_when_completed AFTER UPDATE OF status ON downloads
      WHEN NEW.status = 'completed' AND json_type(NEW.options, '$.headers') IS NOT NULL
      BEGIN
        UPDATE downloads SET options = json_remove(options, '$.headers') WHERE id = NEW.id;
      END;
      UPDATE downloads SET options = json_remove(options, '$.headers')
      WHERE status = 'completed' AND json_type(options, '$.headers') IS NOT NULL;
    `);
  },
};
