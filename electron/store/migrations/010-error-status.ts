import type { Migration } from './index';

/** How a failure written before this version named its HTTP status: the one place the status is read from words. */
const STATUS_IN_WORDS = /\bthe server answered (\d{3})\b/;

/**
 * The HTTP status of the answer a download failed on, so what the window advises (a missing file, a refusal, a
 * fault on the server's side) follows the status itself rather than the wording of the message. Failures kept
 * from before get theirs from the message they were written with.
 */
export const errorStatus: Migration = {
  version: 10,
  up: (db) => {
    db.exec(`ALTER TABLE downloads ADD COLUMN error_status INTEGER`);
    const failed = db.prepare(`SELECT id, error_message FROM downloads WHERE error_code = 'HTTP_ERROR'`).all() as { id: number; error_message: string | null }[];
    const set = db.prepare('UPDATE downloads SET error_status = ? WHERE id = ?');
    for (const { id, error_message } of failed) {
      const m = STATUS_IN_WORDS.exec(error_message ?? '');
      if (m) set.run(Number(m[1]), id);
    }
  },
};
