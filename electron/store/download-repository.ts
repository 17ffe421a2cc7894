import type Database from 'better-sqlite3';
import { CATEGORY_EXTENSIONS, searchText, type FileCategory } from '../../shared/file-category';
import type { DownloadRecord, DownloadStatus, SegmentState, Settings } from '../../shared/types';
import type { DownloadIdSet, DownloadPatch, DownloadRepository, LearnedHostLimit, NewDownload, RecordQuery } from '../engine/ports';
import { SqliteIdSet } from './download-id-set';
import { PATCH_COLUMNS, toRecord, type DownloadRow } from './download-row';

/**
 * ORDER BY for each sort key; position breaks ties so pages never overlap. The name is the one a row shows (the
 * URL's last part until the server names the file), written as migration 009's index has it, so that index serves.
 */
export const ORDER: Record<NonNullable<RecordQuery['sort']>, string> = {
  position: 'position',
  name: "COALESCE(name, requested_name, replace(url, rtrim(url, replace(url, '/', '')), '')) COLLATE NOCASE",
  size: 'size',
  status: 'status',
  added: 'id',
};

/**
 * A download's file type by the extension of the name its row shows (the server's, else the one asked for, else
 * the URL), as `categoryOf` judges it in the renderer. `rtrim` by every character but the dot strips the text back
 * to its last dot, so what `replace` leaves is the extension: one expression and a set lookup per row, no index
 * (the sidebar's file types are looked at one at a time).
 */
function categoryTerm(category: FileCategory, args: unknown[]): string {
  const exts = category === 'other' ? Object.values(CATEGORY_EXTENSIONS).flat() : CATEGORY_EXTENSIONS[category];
  args.push(...exts);
  const shown = 'COALESCE(name, requested_name, url)';
  const ext = `lower(replace(${shown}, rtrim(${shown}, replace(${shown}, '.', '')), ''))`;
  return `${ext} ${category === 'other' ? 'NOT IN' : 'IN'} (${exts.map(() => '?').join(',')})`;
}

// An empty name asked for (`out=` with nothing after it) is no name, as the window's `if (d.name)` has it.
const NAMED = "NULLIF(COALESCE(name, requested_name), '')";

/**
 * Rows whose search text (`searchText`, registered as braid_search_text) holds the lower-cased term; instr rather
 * than LIKE, so a % or _ searched for is itself. The function parses and decodes a nameless row's URL and folds every
 * alphabet, at 5× the cost of SQLite's own `lower`, so it runs only where `lower` could differ: a nameless row whose
 * URL has a %-escape, or a name beyond ASCII. Elsewhere a nameless row's shown name is already in its URL (URLs are
 * stored as `URL.href` writes them, in ASCII), and `lower` folds ASCII as JavaScript does.
 */
const SEARCH_TERM = `instr(CASE
    WHEN ${NAMED} IS NULL THEN CASE WHEN instr(url, '%') > 0 THEN braid_search_text(NULL, url) ELSE lower(url) END
    WHEN length(${NAMED}) != octet_length(${NAMED}) THEN braid_search_text(${NAMED}, url)
    ELSE lower(${NAMED} || char(10) || url) END, ?) > 0`;

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
    db.function('braid_search_text', { deterministic: true }, (name: unknown, url: unknown) => searchText({ name: typeof name === 'string' ? name : null, url: String(url) }));
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO downloads (url, mirrors, folder, requested_name, options, status, stop_reason, priority, size, position, created_at, updated_at)
         VALUES (@url, @mirrors, @folder, @requestedName, @options, @status, @stopReason, @priority, @size, @position, @now, @now)`,
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
          size: d.size,
          position,
          now,
        });
        return Number(info.lastInsertRowid);
      });
    }).immediate();
  }

  get(id: number): DownloadRecord | null {
    const row = this.stmt.get.get(id) as DownloadRow | undefined;
    return row ? toRecord(row) : null;
  }

  private patchStatement(keys: string[]): Database.Statement {
    const cacheKey = keys.join(',');
    let stmt = this.patchCache.get(cacheKey);
    if (!stmt) {
      const sets = keys.map((k) =>
        k === 'error'
          ? 'error_code = @error_code, error_message = @error_message, error_status = @error_status'
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
        params['error_status'] = patch.error?.status ?? null;
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
    const rows = this.stmt.nextQueued.all(limit + exclude.size, offset) as DownloadRow[];
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
    if (query.search) {
      terms.push(SEARCH_TERM);
      args.push(query.search.toLowerCase());
    }
    const where = terms.length > 0 ? `WHERE ${terms.join(' AND ')}` : '';
    // The tie-breaker runs the same way as the sort, so one index serves both directions.
    const direction = query.descending ? 'DESC' : 'ASC';
    const sort = query.sort ?? 'position';
    // A repeated `position` term would make SQLite sort every row again.
    const order = sort === 'position' ? `position ${direction}` : `${ORDER[sort]} ${direction}, position ${direction}`;
    const total = this.db.prepare(`SELECT COUNT(*) FROM downloads ${where}`).pluck().get(...args) as number;
    const rows = this.db
      .prepare(`SELECT * FROM downloads ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...args, query.limit ?? -1, query.offset ?? 0) as DownloadRow[];
    return { total, items: rows.map(toRecord) };
  }

  countByStatus(): Record<DownloadStatus, number> {
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<DownloadStatus, number>;
    for (const r of this.stmt.countByStatus.all() as { status: DownloadStatus; n: number }[]) counts[r.status] = r.n;
    return counts;
  }

  findUnfinished(url: string, folder: string, requestedName: string | null): DownloadRecord | null {
    const row = this.stmt.findUnfinished.get(url, folder, requestedName) as DownloadRow | undefined;
    return row ? toRecord(row) : null;
  }

  findCompleted(url: string, folder: string, requestedName: string | null): DownloadRecord | null {
    const row = this.stmt.findCompleted.get(url, folder, requestedName) as DownloadRow | undefined;
    return row ? toRecord(row) : null;
  }

  findByUrl(url: string): DownloadRecord | null {
    const row = this.stmt.findByUrl.get(url) as DownloadRow | undefined;
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
      const row = this.stmt.get.get(id) as DownloadRow | undefined;
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
