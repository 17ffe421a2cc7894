import type Database from 'better-sqlite3';
import type { DownloadRecord } from '../../shared/types';
import type { DownloadIdSet } from '../engine/ports';
import { toRecord, type DownloadRow } from './download-row';

let idSets = 0;

/** Up to this many ids, the set drives the query (look each up, sort them); beyond, the run-order index does. */
const SMALL_SET = 4096;

/**
 * A set of download ids as a temporary table of this connection: the next queued downloads among them come from
 * one indexed query, never a page walk over the whole queue. A small set is looked up id by id and sorted; a
 * large one is probed while walking the queued downloads in run order.
 */
export class SqliteIdSet implements DownloadIdSet {
  private readonly table = `temp.braid_id_set_${++idSets}`;
  private readonly insert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly nextFromSet: Database.Statement;
  private readonly nextFromQueue: Database.Statement;
  private size = 0;

  constructor(private readonly db: Database.Database) {
    db.exec(`CREATE TEMP TABLE ${this.table.slice('temp.'.length)} (id INTEGER PRIMARY KEY)`);
    this.insert = db.prepare(`INSERT OR IGNORE INTO ${this.table} (id) VALUES (?)`);
    this.remove = db.prepare(`DELETE FROM ${this.table} WHERE id = ?`);
    // CROSS JOIN keeps the set as the outer loop: SQLite never reorders it.
    this.nextFromSet = db.prepare(
      `SELECT d.* FROM ${this.table} AS s CROSS JOIN downloads AS d ON d.id = s.id WHERE d.status = 'queued'
       ORDER BY d.priority DESC, d.position LIMIT ?`,
    );
    this.nextFromQueue = db.prepare(
      `SELECT * FROM downloads INDEXED BY downloads_run_order WHERE status = 'queued' AND id IN (SELECT id FROM ${this.table})
       ORDER BY priority DESC, position LIMIT ?`,
    );
  }

  add(ids: Iterable<number>): void {
    this.db.transaction(() => {
      for (const id of ids) this.size += this.insert.run(id).changes;
    })();
  }

  delete(ids: Iterable<number>): void {
    this.db.transaction(() => {
      for (const id of ids) this.size -= this.remove.run(id).changes;
    })();
  }

  nextQueued(limit: number, exclude: ReadonlySet<number>): DownloadRecord[] {
    const query = this.size <= SMALL_SET ? this.nextFromSet : this.nextFromQueue;
    const rows = query.all(limit + exclude.size) as DownloadRow[];
    return rows.filter((r) => !exclude.has(r.id)).slice(0, limit).map(toRecord);
  }

  close(): void {
    if (this.db.open) this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
  }
}
