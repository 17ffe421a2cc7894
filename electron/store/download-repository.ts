import type Database from 'better-sqlite3';
import { CATEGORY_EXTENSIONS, type FileCategory } from '../../shared/file-category';
import type { DownloadRecord, DownloadStatus, SegmentState, Settings } from '../../shared/types';
import type { DownloadIdSet, DownloadPatch, DownloadRepository, LearnedHostLimit, NewDownload, RecordQuery } from '../engine/ports';

interface Row {
  id: number;
  url: string;
  mirrors: string;
  final_url: string | null;
  source_url: string | null;
  folder: string;
  requested_name: string | null;
  name: string | null;
  size: number | null;
  etag: string | null;
  last_modified: string | null;
  accept_ranges: number;
  status: DownloadStatus;
  stop_reason: 'user' | 'shutdown' | null;
  priority: number;
  position: number;
  options: string;
  error_code: string | null;
  error_message: string | null;
  bytes_done: number;
  retries: number;
  retry_log: string;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  placing: string | null;
  link_refreshed_at: number | null;
  link_refreshed_by: string | null;
}

function toRecord(r: Row): DownloadRecord {
  return {
    id: r.id,
    url: r.url,
    mirrors: JSON.parse(r.mirrors) as string[],
    finalUrl: r.final_url,
    sourceUrl: r.source_url,
    folder: r.folder,
    requestedName: r.requested_name,
    name: r.name,
    size: r.size,
    etag: r.etag,
    lastModified: r.last_modified,
    acceptRanges: r.accept_ranges === 1,
    status: r.status,
    stopReason: r.stop_reason,
    priority: r.priority,
    position: r.position,
    options: JSON.parse(r.options) as DownloadRecord['options'],
    error: r.error_code ? { code: r.error_code as NonNullable<DownloadRecord['error']>['code'], message: r.error_message ?? '' } : null,
    bytesDone: r.bytes_done,
    retries: r.retries,
    retryLog: JSON.parse(r.retry_log) as DownloadRecord['retryLog'],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
    placing: r.placing ? (JSON.parse(r.placing) as DownloadRecord['placing']) : null,
    linkRefresh:
      r.link_refreshed_at !== null ? { at: r.link_refreshed_at, by: r.link_refreshed_by === 'user' ? 'user' : 'original-url' } : null,
  };
}

/** Column for each patchable field, and how its value is stored. */
const PATCH_COLUMNS: Record<Exclude<keyof DownloadPatch, 'error' | 'linkRefresh'>, [string, (v: never) => unknown]> = {
  url: ['url', (v) => v],
  finalUrl: ['final_url', (v) => v],
  sourceUrl: ['source_url', (v) => v],
  name: ['name', (v) => v],
  size: ['size', (v) => v],
  etag: ['etag', (v) => v],
  lastModified: ['last_modified', (v) => v],
  acceptRanges: ['accept_ranges', (v: boolean) => (v ? 1 : 0)],
  status: ['status', (v) => v],
  stopReason: ['stop_reason', (v) => v],
  bytesDone: ['bytes_done', (v) => v],
  retries: ['retries', (v) => v],
  retryLog: ['retry_log', (v: unknown) => JSON.stringify(v)],
  completedAt: ['completed_at', (v) => v],
  priority: ['priority', (v) => v],
  position: ['position', (v) => v],
  placing: ['placing', (v: unknown) => (v === null ? null : JSON.stringify(v))],
  options: ['options', (v: unknown) => JSON.stringify(v)],
};

/**
 * ORDER BY for each sort key; position breaks ties so pages never overlap. The name is the one a row shows (the
 * URL's last part until the server names the file), written as migration 009's index has it, so that index serves.
 */
export const ORDER: Record<NonNullable<RecordQuery['sort']>, string> = {
  position: 'position',
  name: "COALESCE(name, replace(url, rtrim(url, replace(url, '/', '')), '')) COLLATE NOCASE",
  size: 'size',
  status: 'status',
  added: 'id',
};

/**
 * A download's file type by the extension of its name (the URL's before a name is known), as `categoryOf` judges
 * it in the renderer. `rtrim` by every character but the dot strips the text back to its last dot, so what
 * `replace` leaves is the extension: one expression and a set lookup per row, no index (the sidebar's file types
 * are looked at one at a time).
 */
function categoryTerm(category: FileCategory, args: unknown[]): string {
  const exts = category === 'other' ? Object.values(CATEGORY_EXTENSIONS).flat() : CATEGORY_EXTENSIONS[category];
  args.push(...exts);
  const ext = `lower(replace(COALESCE(name, url), rtrim(COALESCE(name, url), replace(COALESCE(name, url), '.', '')), ''))`;
  return `${ext} ${category === 'other' ? 'NOT IN' : 'IN'} (${exts.map(() => '?').join(',')})`;
}

const STATUSES: DownloadStatus[] = ['queued', 'active', 'paused', 'completed', 'failed'];

/**
 * The SQLite repository behind the engine's port; statements are prepared once. Write transactions are
 * IMMEDIATE: they take the write lock first and so wait (busy_timeout) for another process's writer, where a
 * deferred one that read first would fail at once.
 */
export class SqliteDownloadRepository implements DownloadRepository {
  private readonly stmt;
  private readonly patchCache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO downloads (url, mirrors, folder, requested_name, options, status, stop_reason, priority, position, created_at, updated_at)
         VALUES (@url, @mirrors, @folder, @requestedName, @options, @status, @stopReason, @priority, @position, @now, @now)`,
      ),
      maxPosition: db.prepare('SELECT COALESCE(MAX(position), 0) AS p FROM downloads').pluck(),
      get: db.prepare('SELECT * FROM downloads WHERE id = ?'),
      segments: db.prepare('SELECT start, end, done FROM segments WHERE download_id = ? ORDER BY start'),
      deleteSegments: db.prepare('DELETE FROM segments WHERE download_id = ?'),
      insertSegment: db.prepare('INSERT INTO segments (download_id, start, end, done) VALUES (?, ?, ?, ?)'),
      nextQueued: db.prepare(`SELECT * FROM downloads WHERE status = 'queued' ORDER BY priority DESC, position LIMIT ? OFFSET ?`),
      countByStatus: db.prepare('SELECT status, COUNT(*) AS n FROM downloads GROUP BY status'),
      findUnfinished: db.prepare(
        `SELECT * FROM downloads WHERE url = ? AND folder = ? AND requested_name IS ? AND status != 'completed'
         ORDER BY id DESC LIMIT 1`,
      ),
      findCompleted: db.prepare(
        `SELECT * FROM downloads WHERE url = ? AND folder = ? AND requested_name IS ? AND status = 'completed'
         ORDER BY id DESC LIMIT 1`,
      ),
      findByUrl: db.prepare('SELECT * FROM downloads WHERE url = ? ORDER BY id DESC LIMIT 1'),
      nameReserved: db
        .prepare(`SELECT 1 FROM downloads WHERE folder = ? AND name = ? AND id != ? AND status != 'completed' LIMIT 1`)
        .pluck(),
      remove: db.prepare('DELETE FROM downloads WHERE id = ?'),
      requeue: db.prepare('UPDATE downloads SET status = ?, stop_reason = ?, updated_at = ? WHERE status = ?'),
      neighbour: {
        up: db.prepare('SELECT id, position FROM downloads WHERE position < ? ORDER BY position DESC LIMIT 1'),
        down: db.prepare('SELECT id, position FROM downloads WHERE position > ? ORDER BY position LIMIT 1'),
      },
      minPosition: db.prepare('SELECT COALESCE(MIN(position), 0) AS p FROM downloads').pluck(),
      setPosition: db.prepare('UPDATE downloads SET position = ?, updated_at = ? WHERE id = ?'),
      settings: db.prepare('SELECT key, value FROM settings'),
      hostLimits: db.prepare('SELECT host, connections, learned_at AS learnedAt FROM host_limits'),
      saveHostLimit: db.prepare(
        'INSERT INTO host_limits (host, connections, learned_at) VALUES (?, ?, ?) ON CONFLICT (host) DO UPDATE SET connections = excluded.connections, learned_at = excluded.learned_at',
      ),
      forgetHostLimit: db.prepare('DELETE FROM host_limits WHERE host = ?'),
      saveSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  insertMany(downloads: NewDownload[]): number[] {
    return this.db.transaction(() => {
      let position = this.stmt.maxPosition.get() as number;
      const now = Date.now();
      return downloads.map((d) => {
        position += 1;
        const info = this.stmt.insert.run({
          url: d.url,
          mirrors: JSON.stringify(d.mirrors),
          folder: d.folder,
          requestedName: d.requestedName,
          options: JSON.stringify(d.options),
          status: d.status,
          stopReason: d.stopReason,
          priority: d.priority,
          position,
          now,
        });
        return Number(info.lastInsertRowid);
      });
    }).immediate();
  }

  get(id: number): DownloadRecord | null {
    const row = this.stmt.get.get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  private patchStatement(keys: string[]): Database.Statement {
    const cacheKey = keys.join(',');
    let stmt = this.patchCache.get(cacheKey);
    if (!stmt) {
      const sets = keys.map((k) =>
        k === 'error'
          ? 'error_code = @error_code, error_message = @error_message'
          : k === 'linkRefresh'
            ? 'link_refreshed_at = @link_refreshed_at, link_refreshed_by = @link_refreshed_by'
            : `${PATCH_COLUMNS[k as keyof typeof PATCH_COLUMNS][0]} = @${k}`,
      );
      stmt = this.db.prepare(`UPDATE downloads SET ${sets.join(', ')}, updated_at = @updated_at WHERE id = @id`);
      this.patchCache.set(cacheKey, stmt);
    }
    return stmt;
  }

  update(id: number, patch: DownloadPatch): void {
    const keys = Object.keys(patch).sort();
    const params: Record<string, unknown> = { id, updated_at: Date.now() };
    for (const k of keys) {
      if (k === 'error') {
        params['error_code'] = patch.error?.code ?? null;
        params['error_message'] = patch.error?.message ?? null;
      } else if (k === 'linkRefresh') {
        params['link_refreshed_at'] = patch.linkRefresh?.at ?? null;
        params['link_refreshed_by'] = patch.linkRefresh?.by ?? null;
      } else {
        const [, encode] = PATCH_COLUMNS[k as keyof typeof PATCH_COLUMNS];
        params[k] = encode(patch[k as keyof DownloadPatch] as never);
      }
    }
    this.patchStatement(keys).run(params);
  }

  segments(id: number): SegmentState[] {
    return this.stmt.segments.all(id) as SegmentState[];
  }

  saveProgress(id: number, segments: SegmentState[], patch: DownloadPatch): void {
    this.db.transaction(() => {
      this.stmt.deleteSegments.run(id);
      for (const s of segments) this.stmt.insertSegment.run(id, s.start, s.end, s.done);
      this.update(id, patch);
    }).immediate();
  }

  nextQueued(limit: number, exclude: ReadonlySet<number>, offset = 0): DownloadRecord[] {
    const rows = this.stmt.nextQueued.all(limit + exclude.size, offset) as Row[];
    return rows.filter((r) => !exclude.has(r.id)).slice(0, limit).map(toRecord);
  }

  idSet(): DownloadIdSet {
    return new SqliteIdSet(this.db);
  }

  list(query: RecordQuery): { total: number; items: DownloadRecord[] } {
    const terms: string[] = [];
    const args: unknown[] = [];
    if (query.status && query.status.length > 0) {
      terms.push(`status IN (${query.status.map(() => '?').join(',')})`);
      args.push(...query.status);
    }
    if (query.category) terms.push(categoryTerm(query.category, args));
    const where = terms.length > 0 ? `WHERE ${terms.join(' AND ')}` : '';
    // The tie-breaker runs the same way as the sort, so one index serves both directions.
    const direction = query.descending ? 'DESC' : 'ASC';
    const sort = query.sort ?? 'position';
    // A repeated `position` term would make SQLite sort every row again.
    const order = sort === 'position' ? `position ${direction}` : `${ORDER[sort]} ${direction}, position ${direction}`;
    const total = this.db.prepare(`SELECT COUNT(*) FROM downloads ${where}`).pluck().get(...args) as number;
    const rows = this.db
      .prepare(`SELECT * FROM downloads ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...args, query.limit ?? -1, query.offset ?? 0) as Row[];
    return { total, items: rows.map(toRecord) };
  }

  countByStatus(): Record<DownloadStatus, number> {
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<DownloadStatus, number>;
    for (const r of this.stmt.countByStatus.all() as { status: DownloadStatus; n: number }[]) counts[r.status] = r.n;
    return counts;
  }

  findUnfinished(url: string, folder: string, requestedName: string | null): DownloadRecord | null {
    const row = this.stmt.findUnfinished.get(url, folder, requestedName) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  findCompleted(url: string, folder: string, requestedName: string | null): DownloadRecord | null {
    const row = this.stmt.findCompleted.get(url, folder, requestedName) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  findByUrl(url: string): DownloadRecord | null {
    const row = this.stmt.findByUrl.get(url) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  isNameReserved(folder: string, name: string, exceptId: number): boolean {
    return this.stmt.nameReserved.get(folder, name, exceptId) === 1;
  }

  remove(ids: number[]): void {
    this.db.transaction(() => {
      for (const id of ids) this.stmt.remove.run(id);
    }).immediate();
  }

  move(id: number, direction: 'up' | 'down' | 'top' | 'bottom'): void {
    this.db.transaction(() => {
      const row = this.stmt.get.get(id) as Row | undefined;
      if (!row) return;
      const now = Date.now();
      if (direction === 'top' || direction === 'bottom') {
        const edge = direction === 'top' ? (this.stmt.minPosition.get() as number) - 1 : (this.stmt.maxPosition.get() as number) + 1;
        this.stmt.setPosition.run(edge, now, id);
        return;
      }
      const other = this.stmt.neighbour[direction].get(row.position) as { id: number; position: number } | undefined;
      if (!other) return;
      this.stmt.setPosition.run(other.position, now, id);
      this.stmt.setPosition.run(row.position, now, other.id);
    }).immediate();
  }

  requeue(from: DownloadStatus, stopReason: 'shutdown' | null): number {
    return this.stmt.requeue.run('queued', stopReason, Date.now(), from).changes;
  }

  loadSettings(): Partial<Settings> {
    const out: Record<string, unknown> = {};
    for (const r of this.stmt.settings.all() as { key: string; value: string }[]) out[r.key] = JSON.parse(r.value);
    return out as Partial<Settings>;
  }

  saveSettings(settings: Settings): void {
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(settings)) this.stmt.saveSetting.run(k, JSON.stringify(v));
    }).immediate();
  }

  loadHostLimits(): LearnedHostLimit[] {
    return this.stmt.hostLimits.all() as LearnedHostLimit[];
  }

  saveHostLimit(host: string, limit: { connections: number; learnedAt: number } | null): void {
    if (limit) this.stmt.saveHostLimit.run(host, limit.connections, limit.learnedAt);
    else this.stmt.forgetHostLimit.run(host);
  }
}

let idSets = 0;

/** Up to this many ids, the set drives the query (look each up, sort them); beyond, the run-order index does. */
const SMALL_SET = 4096;

/**
 * A set of download ids as a temporary table of this connection: the next queued downloads among them come from
 * one indexed query, never a page walk over the whole queue. A small set is looked up id by id and sorted; a
 * large one is probed while walking the queued downloads in run order.
 */
class SqliteIdSet implements DownloadIdSet {
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
    const rows = query.all(limit + exclude.size) as Row[];
    return rows.filter((r) => !exclude.has(r.id)).slice(0, limit).map(toRecord);
  }

  close(): void {
    if (this.db.open) this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
  }
}
