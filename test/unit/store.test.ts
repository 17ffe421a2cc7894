import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase, StoreError } from '../../electron/store/database';
import { ORDER, SqliteDownloadRepository } from '../../electron/store/download-repository';
import { MIGRATIONS, SCHEMA_VERSION } from '../../electron/store/migrations/index';
import { tempDir } from '../support/harness';

describe('SQLite store', () => {
  it('opens with WAL and full sync, and migrates a new file', async () => {
    const dir = await tempDir();
    const db = openDatabase(join(dir, 'a.db'));
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2);
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    db.close();
    await rm(dir, { recursive: true });
  });

  it('refuses a database from a newer Braid and leaves it untouched', async () => {
    const dir = await tempDir();
    const path = join(dir, 'new.db');
    const raw = new Database(path);
    raw.exec('CREATE TABLE future (x)');
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(() => openDatabase(path), (e: unknown) => e instanceof StoreError && e.code === 'DB_TOO_NEW');
    const again = new Database(path);
    assert.equal(again.pragma('user_version', { simple: true }), SCHEMA_VERSION + 1);
    assert.ok(again.prepare("SELECT name FROM sqlite_master WHERE name = 'future'").get());
    again.close();
    await rm(dir, { recursive: true });
  });

  it('migrates a database from an older schema and keeps its rows', async () => {
    const dir = await tempDir();
    const path = join(dir, 'old.db');
    const raw = new Database(path);
    MIGRATIONS[0]!.up(raw);
    raw.pragma('user_version = 1');
    raw.prepare(`INSERT INTO downloads (url, folder, status, position, created_at, updated_at) VALUES ('http://x/old', '/f', 'paused', 1, 0, 0)`).run();
    raw.close();
    const db = openDatabase(path);
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    const rec = new SqliteDownloadRepository(db).list({}).items[0]!;
    assert.equal(rec.url, 'http://x/old');
    assert.deepEqual(rec.retryLog, []);
    db.close();
    await rm(dir, { recursive: true });
  });

  it("keeps a failure's HTTP status, and finds it in the words of a failure written before the status was kept", async () => {
    const dir = await tempDir();
    const path = join(dir, 'status.db');
    const raw = new Database(path);
    for (const m of MIGRATIONS.filter((m) => m.version < 10)) m.up(raw);
    raw.pragma('user_version = 9');
    const insert = raw.prepare(
      `INSERT INTO downloads (url, folder, status, position, created_at, updated_at, error_code, error_message) VALUES (?, '/f', 'failed', ?, 0, 0, ?, ?)`,
    );
    insert.run('http://x/gone', 1, 'HTTP_ERROR', 'the server answered 404 Not Found (gave up after 1 attempt)');
    insert.run('http://x/odd', 2, 'HTTP_ERROR', 'the server closed the connection');
    insert.run('http://x/bad', 3, 'BAD_RESPONSE', 'the server answered 206 to a request without a range');
    raw.close();
    const db = openDatabase(path);
    const repo = new SqliteDownloadRepository(db);
    const byUrl = new Map(repo.list({}).items.map((r) => [r.url, r.error]));
    assert.deepEqual(byUrl.get('http://x/gone'), { code: 'HTTP_ERROR', message: 'the server answered 404 Not Found (gave up after 1 attempt)', status: 404 });
    assert.deepEqual(byUrl.get('http://x/odd'), { code: 'HTTP_ERROR', message: 'the server closed the connection' }, 'no status named, none made up');
    assert.equal(byUrl.get('http://x/bad')?.status, undefined, 'only HTTP errors carry a status');
    const id = repo.list({}).items.find((r) => r.url === 'http://x/odd')!.id;
    repo.update(id, { error: { code: 'HTTP_ERROR', message: 'the link failed', status: 503 } });
    assert.equal(repo.get(id)!.error?.status, 503);
    repo.update(id, { error: { code: 'TIMEOUT', message: 'the server went quiet' } });
    assert.deepEqual(repo.get(id)!.error, { code: 'TIMEOUT', message: 'the server went quiet' }, 'a later failure without a status clears it');
    db.close();
    await rm(dir, { recursive: true });
  });

  it('keeps the run order, commits progress in one transaction, finds unfinished downloads', async () => {
    const dir = await tempDir();
    const db = openDatabase(join(dir, 'b.db'));
    const repo = new SqliteDownloadRepository(db);
    const base = { mirrors: [] as string[], folder: '/f', requestedName: null, options: {}, stopReason: null, size: null };
    const [a, b, c] = repo.insertMany([
      { ...base, url: 'http://x/a', status: 'queued', priority: 0 },
      { ...base, url: 'http://x/b', status: 'queued', priority: 5 },
      { ...base, url: 'http://x/c', status: 'paused', priority: 9 },
    ]);
    assert.deepEqual(repo.nextQueued(10, new Set()).map((r) => r.id), [b, a], 'priority first, paused skipped');
    repo.move(a!, 'top');
    assert.deepEqual(repo.list({}).items.map((r) => r.id), [a, b, c]);
    repo.saveProgress(a!, [{ start: 0, end: 10, done: 4 }, { start: 10, end: 20, done: 10 }], { bytesDone: 14, name: 'a' });
    assert.equal(repo.get(a!)!.bytesDone, 14);
    assert.deepEqual(repo.segments(a!).map((s) => s.done), [4, 10]);
    assert.equal(repo.findUnfinished('http://x/a', '/f', null)?.id, a);
    assert.equal(repo.findUnfinished('http://x/a', '/other', null), null);
    assert.ok(repo.isNameReserved('/f', 'a', b!));
    assert.ok(!repo.isNameReserved('/f', 'a', a!));
    repo.remove([a!]);
    assert.deepEqual(repo.segments(a!), [], 'segments go with their download');
    db.close();
    await rm(dir, { recursive: true });
  });

  it('sorts by the name a row shows, the last part of the URL until the server names the file, off its index', async () => {
    const dir = await tempDir();
    const db = openDatabase(join(dir, 'n.db'));
    const repo = new SqliteDownloadRepository(db);
    const base = { mirrors: [] as string[], folder: '/f', requestedName: null, options: {}, stopReason: null, status: 'queued' as const, priority: 0, size: null };
    const [zebra, apple, mango] = repo.insertMany([
      { ...base, url: 'http://a.example/files/zebra.iso' },
      { ...base, url: 'http://z.example/Apple.zip?sig=1' },
      { ...base, url: 'http://m.example/x' },
    ]);
    repo.update(mango!, { name: 'mango.tar' });
    assert.deepEqual(repo.list({ sort: 'name' }).items.map((r) => r.id), [apple, mango, zebra]);
    assert.deepEqual(repo.list({ sort: 'name', descending: true }).items.map((r) => r.id), [zebra, mango, apple]);
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM downloads ORDER BY ${ORDER.name} ASC, position ASC LIMIT 100`).all() as { detail: string }[];
    assert.match(plan.map((p) => p.detail).join('; '), /USING INDEX downloads_sort_name/);
    db.close();
    await rm(dir, { recursive: true });
  });

  it('finds the next queued downloads among a set of ids in run order, however many are queued before them', async () => {
    const dir = await tempDir();
    const db = openDatabase(join(dir, 'c.db'));
    const repo = new SqliteDownloadRepository(db);
    const base = { mirrors: [] as string[], folder: '/f', requestedName: null, options: {}, stopReason: null, priority: 0, size: null };
    repo.insertMany(Array.from({ length: 20_000 }, (_, i) => ({ ...base, url: `http://x/ahead-${i}`, status: 'queued' as const })));
    const [a, b, c, d] = repo.insertMany([
      { ...base, url: 'http://x/a', status: 'queued' },
      { ...base, url: 'http://x/b', status: 'queued', priority: 1 },
      { ...base, url: 'http://x/c', status: 'paused' },
      { ...base, url: 'http://x/d', status: 'queued' },
    ]);
    const mine = repo.idSet();
    mine.add([a!, b!, c!, d!]);
    assert.deepEqual(mine.nextQueued(10, new Set()).map((r) => r.id), [b, a, d], 'priority first, paused skipped');
    assert.deepEqual(mine.nextQueued(1, new Set([b!])).map((r) => r.id), [a], 'running ones excluded');
    mine.delete([a!]);
    assert.deepEqual(mine.nextQueued(10, new Set()).map((r) => r.id), [b, d]);
    // A large set walks the run order instead; the answer is the same.
    mine.add(Array.from({ length: 5000 }, (_, i) => 10_000 + i));
    assert.deepEqual(mine.nextQueued(2, new Set()).map((r) => r.id), [b, 10_000]);
    const other = repo.idSet();
    assert.deepEqual(other.nextQueued(10, new Set()), [], 'each set is its own');
    mine.close();
    other.close();
    db.close();
    await rm(dir, { recursive: true });
  });
});
