import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { braid } from '../support/cli';
import { sha256 } from '../support/origin';
import { originAndFolder } from '../support/origin-and-folder';

const MIB = 1024 * 1024;
const KILLS = 20;
const SIZE = 64 * MIB;
const RATE = 4 * MIB; // per connection; 8 connections → 32 MiB/s, so "one second of transfer" is 32 MiB

function integrity(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('crash loop', () => {
  const scope = originAndFolder('braid-crash-');

  it(`survives ${KILLS} SIGKILLs mid-download: byte-identical file, sound database after every kill`, async () => {
    const data = scope.origin.file('/crash.bin', SIZE, { rate: RATE });
    const out = join(scope.dir, 'files');
    const db = join(scope.dir, 'state.db');
    const args = ['get', '-s', '8', '-d', out, '--db', db, scope.origin.url('/crash.bin')];
    // Deterministic "random" instants (a fixed LCG), so a failure can be replayed.
    let seed = 20261123;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let kills = 0;
    const startedAt = Date.now();
    for (let round = 0; kills < KILLS && round < KILLS * 3 && Date.now() - startedAt < 120_000; round++) {
      const killAfter = 150 + Math.floor(next() * 500);
      const result = await braid(args, (kill) => setTimeout(() => kill('SIGKILL'), killAfter));
      if (result.signal !== 'SIGKILL') {
        assert.equal(result.code, 0, result.stderr); // it finished before the kill
        break;
      }
      kills++;
      if (existsSync(db)) assert.equal(integrity(db), 'ok', `integrity after kill ${kills}`);
    }
    const final = await braid(args);
    assert.equal(final.code, 0, final.stderr);
    assert.equal(sha256(await readFile(join(out, 'crash.bin'))), sha256(data));
    const again = scope.origin.bytesSent - SIZE;
    const perKill = kills > 0 ? again / kills : 0;
    console.log(
      `# crash loop: ${kills} kills; ${(again / MIB).toFixed(1)} MiB fetched twice in all, ${(perKill / MIB).toFixed(2)} MiB per kill ` +
        `(one second of transfer is ${(8 * RATE) / MIB} MiB); integrity_check ok after every kill`,
    );
    assert.ok(kills >= 10, `only ${kills} kills landed before the download finished`);
  });
});
