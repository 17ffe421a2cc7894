import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { BRAID, braid, run } from '../support/cli';
import { sha256 } from '../support/origin';
import { cachedBytes, directWritesIn } from '../support/page-cache';
import { originAndFolder } from '../support/origin-and-folder';

const MIB = 1024 * 1024;
const REPORTER = join(import.meta.dirname, '../support/report-loaded.mjs');
const NEW_SPACE_REPORTER = join(import.meta.dirname, '../support/report-new-space.mjs');

/** Runs the built command with every module it resolves written to a file; returns those URLs. */
async function modulesLoadedBy(dir: string, args: string[]): Promise<string[]> {
  const file = join(dir, `loaded-${args[0]}.txt`);
  process.env['BRAID_LOADED'] = file;
  try {
    const result = await run(process.execPath, ['--import', REPORTER, BRAID, ...args]);
    assert.equal(result.code, 0, result.stderr);
  } finally {
    delete process.env['BRAID_LOADED'];
  }
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
}

const uses = (loaded: string[], pkg: string) => loaded.some((url) => url.includes(`/node_modules/${pkg}/`));
// SQLite's addon is the package's own build, or the copy built for Node that `npm start` keeps aside.
const usesSqlite = (loaded: string[]) => uses(loaded, 'better-sqlite3') || loaded.some((url) => /[\\/]better_sqlite3[^\\/]*\.node$/.test(url));

describe('what a command loads and what `get` reports of itself', () => {
  const scope = originAndFolder('braid-footprint-');

  it('the command run as installed starts Node without flags, which would make V8 refuse Node\'s code cache', async () => {
    const firstLine = (await readFile(BRAID, 'utf8')).split('\n', 1)[0];
    assert.equal(firstLine, '#!/usr/bin/env node');
    // Run as the file itself (as npm's bin link and `npx braid` do), so the shebang is what starts Node.
    // The shebang finds `node` on PATH, as it does for a user; this test's own Node is put first.
    const result = await run(BRAID, ['--version'], undefined, { PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}` });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\d+\.\d+\.\d+/);
  });

  it('keeps V8\'s young generation at its first size while it downloads', async () => {
    // Left to grow, it doubles and doubles again on a fast download (4-8 MiB), all of it in the process's peak.
    scope.origin.file('/young.bin', 96 * MIB);
    const args = ['get', '-s', '8', '-d', join(scope.dir, 'young'), '--db', join(scope.dir, 'young.db'), scope.origin.url('/young.bin')];
    const result = await run(process.execPath, ['--import', NEW_SPACE_REPORTER, BRAID, ...args]);
    assert.equal(result.code, 0, result.stderr);
    const largest = Number(/new-space-max-kib=(\d+)/.exec(result.stderr)?.[1]);
    console.log(`# get of 96 MiB: the young generation at most ${largest} KiB`);
    assert.ok(largest > 0 && largest <= 2048, `${largest} KiB`);
  });

  it('`braid --help` loads neither the engine, got nor SQLite; `braid list` loads SQLite alone', async () => {
    const help = await modulesLoadedBy(scope.dir, ['--help']);
    assert.ok(help.length > 0, 'the reporter saw the command load');
    assert.equal(uses(help, 'got'), false, 'help loaded got');
    assert.equal(usesSqlite(help), false, 'help loaded SQLite');
    // A database that holds a download: `list` opens none where there is none.
    const db = join(scope.dir, 'list.db');
    assert.equal((await braid(['add', '--paused', '--db', db, scope.origin.url('/listed-later.bin')])).code, 0);
    const list = await modulesLoadedBy(scope.dir, ['list', '--db', db]);
    assert.equal(usesSqlite(list), true);
    assert.equal(uses(list, 'got'), false, 'list loaded got');
  });

  it('`get` into a pipe loads no progress-bar library, and a plain download over http loads neither got nor TLS', async () => {
    scope.origin.file('/piped.bin', 1 * MIB);
    const loaded = await modulesLoadedBy(scope.dir, ['get', '-d', join(scope.dir, 'piped'), '--db', join(scope.dir, 'piped.db'), scope.origin.url('/piped.bin')]);
    assert.equal(usesSqlite(loaded), true, 'the reporter saw the engine start');
    assert.equal(uses(loaded, 'cli-progress'), false, 'a pipe loaded the terminal bars');
    assert.equal(uses(loaded, 'got'), false, 'the receive path fell back to got');
    assert.ok(loaded.includes('node:net'), 'the reporter sees Node\'s own modules');
    // Node's crypto and child_process (with net's siblings) cost every start ~5-10 ms: a checksum or a large file's
    // allocation ahead loads them, when asked for.
    for (const builtin of ['node:tls', 'node:http', 'node:https', 'node:crypto', 'node:child_process']) assert.equal(loaded.includes(builtin), false, `loaded ${builtin}`);
  });

  it('`get -i` of a list whose entries name their file and folder loads no schema library', async () => {
    // out= and dir= are what most aria2-style lists carry: checking them is a matter of lengths.
    scope.origin.file('/listed.bin', 64 * 1024);
    const list = join(scope.dir, 'named.txt');
    await writeFile(list, `${scope.origin.url('/listed.bin')}\n  out=renamed.bin\n  dir=${join(scope.dir, 'named')}\n`);
    const loaded = await modulesLoadedBy(scope.dir, ['get', '-i', list, '--db', join(scope.dir, 'named.db')]);
    assert.equal(uses(loaded, 'zod'), false, 'the list loaded zod');
    assert.equal(await readFile(join(scope.dir, 'named', 'renamed.bin')).then((b) => b.length), 64 * 1024);
  });

  it('`get --json` prints a line per finished download, then a summary with the memory it used', async () => {
    const data = scope.origin.file('/json.bin', 4 * MIB);
    const out = join(scope.dir, 'json');
    const result = await braid(['get', '--json', '-d', out, '-s', '4', '--db', join(scope.dir, 'json.db'), scope.origin.url('/json.bin'), scope.origin.url('/missing.bin')]);
    assert.equal(result.code, 1, 'one of the two failed');
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const done = lines.find((l) => l['status'] === 'completed')!;
    assert.equal(done['path'], join(out, 'json.bin'));
    assert.equal(done['bytes'], data.length);
    const failed = lines.find((l) => l['status'] === 'failed')!;
    assert.deepEqual(failed['error'], { code: 'HTTP_ERROR', message: 'the server answered 404 Not Found', status: 404 });
    const { summary } = lines[lines.length - 1] as { summary: { files: number; completed: number; failed: number; bytes: number; memory: { baseRss: number; peakRss: number; peakInFlight: number } } };
    assert.deepEqual([summary.files, summary.completed, summary.failed, summary.bytes], [2, 1, 1, data.length]);
    const m = summary.memory;
    console.log(`# get --json memory: base ${(m.baseRss / MIB).toFixed(1)} MiB, peak ${(m.peakRss / MIB).toFixed(1)} MiB, peak in flight ${(m.peakInFlight / MIB).toFixed(2)} MiB`);
    assert.ok(m.baseRss > 0 && m.peakRss >= m.baseRss, JSON.stringify(m));
    assert.ok(m.peakInFlight > 0 && m.peakInFlight <= 64 * MIB, JSON.stringify(m));
    assert.equal(sha256(await readFile(join(out, 'json.bin'))), sha256(data));
  });

  it('a download goes to the disk past the page cache, where the file system allows it', async (t) => {
    // Braid syncs every byte before it counts it: a copy in the page cache would only evict the user's files.
    if (!directWritesIn(scope.dir)) return t.skip('no direct writes or fincore here');
    const data = scope.origin.file('/direct.bin', 16 * MIB);
    const path = join(scope.dir, 'direct', 'direct.bin');
    const result = await braid(['get', '-s', '4', '-d', dirname(path), '--db', join(scope.dir, 'direct.db'), scope.origin.url('/direct.bin')]);
    assert.equal(result.code, 0, result.stderr);
    const cached = cachedBytes(path);
    console.log(`# get of 16 MiB: ${(cached / 1024).toFixed(0)} KiB of it in the page cache`);
    assert.ok(cached <= MIB, `${cached} bytes of the file in the page cache`);
    assert.equal(sha256(await readFile(path)), sha256(data));
  });

  it('a download under a limit on address space (ulimit -v) goes through ordinary buffers instead of failing', async () => {
    // Each slab of page-aligned WebAssembly memory reserves 10 GiB of address space beside the memory it holds.
    const data = scope.origin.file('/limited.bin', 4 * MIB);
    const out = join(scope.dir, 'limited');
    const args = [BRAID, 'get', '-d', out, '--db', join(scope.dir, 'limited.db'), scope.origin.url('/limited.bin')];
    const result = await run('bash', ['-c', 'ulimit -v 4000000 && exec "$0" "$@"', process.execPath, ...args]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(sha256(await readFile(join(out, 'limited.bin'))), sha256(data));
  });

  it('verifying a checksum holds no more memory than the download itself', async () => {
    // The whole file is read back once to hash it: through one reused buffer, not a fresh one per read. The
    // command is started by this test runner, whose memory (a 128 MiB file served) is not the command's.
    const data = scope.origin.file('/sum.bin', 128 * MIB);
    const args = ['get', '--json', '-d', join(scope.dir, 'sum'), '--db', join(scope.dir, 'sum.db'), '--checksum', `sha-256=${sha256(data)}`];
    const result = await braid([...args, scope.origin.url('/sum.bin')]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    const m = (JSON.parse(lines[lines.length - 1]!) as { summary: { memory: { baseRss: number; peakRss: number; peakInFlight: number } } }).summary.memory;
    const above = (m.peakRss - m.baseRss) / MIB;
    console.log(`# get --checksum of 128 MiB: ${above.toFixed(1)} MiB above the start, ${(m.peakInFlight / MIB).toFixed(1)} MiB of it transfer buffers`);
    assert.ok(m.peakRss - m.baseRss <= m.peakInFlight + 16 * MIB, `${above.toFixed(1)} MiB above the start`);
  });

  it('`get` ends with a human summary', async () => {
    scope.origin.file('/human.bin', 2 * MIB);
    const result = await braid(['get', '-d', join(scope.dir, 'human'), '--db', join(scope.dir, 'human.db'), scope.origin.url('/human.bin')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /downloaded 1 of 1 file: 2(\.0+)? MiB in (\d+\.\ds|\d+ ms) \(.*\/s\); peak memory .* MiB/);
    scope.origin.file('/tiny.bin', 13);
    const tiny = await braid(['get', '-d', join(scope.dir, 'human'), '--db', join(scope.dir, 'human.db'), scope.origin.url('/tiny.bin')]);
    assert.equal(tiny.code, 0, tiny.stderr);
    assert.match(tiny.stdout, /downloaded 1 of 1 file: 13 B in (\d+ ms|0\.[1-9]s) /, 'never "in 0.0s"');
  });
});
