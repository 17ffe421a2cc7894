// Times one 100-row page of a long queue in every sort order and two file types, at the top and in the middle, as the UI asks
// for it, and a search. usage: node --import tsx test/bench/queue-pages.ts [ROWS]   (default 1000000; after npm install)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../electron/store/database';
import { SqliteDownloadRepository } from '../../electron/store/download-repository';

const rows = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'braid-pages-'));
try {
  const list = join(dir, 'list.txt');
  writeFileSync(list, Array.from({ length: rows }, (_, i) => `http://127.0.0.1:9/f${i}.bin\n`).join(''));
  const db = join(dir, 'state.db');
  const started = performance.now();
  execFileSync(process.execPath, [join(import.meta.dirname, '../../out/cli/braid.js'), 'add', '--paused', '-i', list, '-d', join(dir, 'files'), '--db', db]);
  console.log(`queued ${rows} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const repo = new SqliteDownloadRepository(openDatabase(db));
  for (const sort of ['position', 'name', 'size', 'status', 'added'] as const) {
    const figures: string[] = [];
    for (const descending of [false, true]) {
      for (const offset of [0, Math.floor(rows / 2)]) {
        const t = performance.now();
        repo.list({ sort, descending, offset, limit: 100 });
        figures.push(`${descending ? 'desc' : 'asc'}@${offset} ${(performance.now() - t).toFixed(1)} ms`);
      }
    }
    console.log(`${sort.padEnd(8)} ${figures.join('  ')}`);
  }
  // A sidebar file type is a scan by extension (no index): its page and count, at the top and in the middle.
  for (const category of ['video', 'other'] as const) {
    const figures: string[] = [];
    for (const offset of [0, Math.floor(rows / 2)]) {
      const t = performance.now();
      repo.list({ category, offset, limit: 100 });
      figures.push(`@${offset} ${(performance.now() - t).toFixed(1)} ms`);
    }
    console.log(`${category.padEnd(8)} ${figures.join('  ')}`);
  }
  // The search box is a scan too: text many rows hold (the top page fills at once), text one row holds, and text
  // beyond ASCII (folded by JavaScript for every row rather than by SQLite).
  for (const search of ['F12', `f${rows - 7}.bin`, 'Ünï']) {
    const t = performance.now();
    const page = repo.list({ search, limit: 100 });
    console.log(`search "${search}": ${page.total} found, page and count ${(performance.now() - t).toFixed(1)} ms`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
