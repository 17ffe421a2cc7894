import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION } from '../../electron/store/migrations/index';
import { BRAID, braid, type Run } from '../support/cli';
import { waitFor } from '../support/harness';
import { sha256 } from '../support/origin';
import { originAndFolder } from '../support/origin-and-folder';

const MIB = 1024 * 1024;
function progressIn(dbPath: string): number {
  if (!existsSync(dbPath)) return 0;
  const db = new Database(dbPath, { readonly: true, timeout: 1000 });
  try {
    return (db.prepare('SELECT COALESCE(SUM(bytes_done), 0) FROM downloads').pluck().get() as number) ?? 0;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}

describe('braid command line', () => {
  const scope = originAndFolder('braid-cli-');

  it('prints help', async () => {
    const run = await braid(['--help']);
    assert.equal(run.code, 0);
    for (const command of ['get', 'add', 'list']) assert.match(run.stdout, new RegExp(`\\b${command}\\b`));
  });

  it('downloads, exits 0, and names the file', async () => {
    const data = scope.origin.file('/cli.bin', 3 * MIB);
    const out = join(scope.dir, 'get');
    const run = await braid(['get', '-d', out, '-s', '4', '--db', join(scope.dir, 'get.db'), scope.origin.url('/cli.bin')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /completed #\d+ .*cli\.bin/);
    assert.equal(sha256(await readFile(join(out, 'cli.bin'))), sha256(data));
  });

  it('says when a server gives no validator and its seams are re-read instead', async () => {
    const data = scope.origin.file('/novalid.bin', 4 * MIB, { noValidators: true, rate: MIB }); // a second or so: snapshots come 4 times a second
    const out = join(scope.dir, 'novalid');
    const run = await braid(['get', '-d', out, '-s', '4', '--db', join(scope.dir, 'novalid.db'), scope.origin.url('/novalid.bin')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /note #\d+ novalid\.bin: the server sends no ETag that proves the file unchanged, so Braid re-reads a few KiB across each seam/);
    assert.equal(sha256(await readFile(join(out, 'novalid.bin'))), sha256(data));
  });

  it('exits non-zero with one clear line per failure, and still downloads the rest', async () => {
    const data = scope.origin.file('/fine.bin', MIB);
    const list = join(scope.dir, 'list.txt');
    await writeFile(list, [scope.origin.url('/fine.bin'), 'ftp://nope/x', scope.origin.url('/missing.bin'), ''].join('\n'));
    const out = join(scope.dir, 'mixed');
    const run = await braid(['get', '-d', out, '-i', list, '--db', join(scope.dir, 'mixed.db')]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /list\.txt:2: unsupported scheme ftp: .*\[UNSUPPORTED_SCHEME\]/);
    assert.match(run.stderr, /failed: .*missing\.bin: the server answered 404 Not Found \[HTTP_ERROR\]/);
    assert.equal(sha256(await readFile(join(out, 'fine.bin'))), sha256(data));
  });

  it('says where a failed download\'s bytes are kept, and the same command goes on from them', async () => {
    // The first answer is cut after 256 KiB; every request after it is refused with a 500.
    const data = scope.origin.file('/broke.bin', 2 * MIB, { dropAfter: 256 * 1024, dropTimes: 1, burstStatus: 500, burstAfter: 1, burstTimes: 1000 });
    const out = join(scope.dir, 'broke');
    const args = ['get', '-s', '1', '-d', out, '--db', join(scope.dir, 'broke.db'), scope.origin.url('/broke.bin')];
    const failed = await braid([...args, '--retries', '2']);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /\[HTTP_ERROR\]; the 256 KiB received stay in .*broke\.bin\.part, and the same command goes on from them/);
    scope.origin.serve('/broke.bin', data);
    const resumed = await braid(args);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(sha256(await readFile(join(out, 'broke.bin'))), sha256(data));
  });

  it('says nothing but problems with -q', async () => {
    const data = scope.origin.file('/quiet.bin', 100_000);
    const out = join(scope.dir, 'quiet');
    const db = join(scope.dir, 'quiet.db');
    const fine = await braid(['get', '-q', '-d', out, '--db', db, scope.origin.url('/quiet.bin')]);
    assert.deepEqual([fine.code, fine.stdout, fine.stderr], [0, '', '']);
    assert.equal(sha256(await readFile(join(out, 'quiet.bin'))), sha256(data));
    const missing = await braid(['get', '-q', '-d', out, '--db', db, scope.origin.url('/quiet-missing.bin')]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /^braid: failed: .*quiet-missing\.bin: the server answered 404/);
  });

  it('gives every entry a JSON line with --json, one refused before it became a download too', async () => {
    scope.origin.file('/fine-json.bin', 10_000);
    const run = await braid(['get', '--json', '-d', join(scope.dir, 'json-mixed'), '--db', join(scope.dir, 'json-mixed.db'), 'notaurl', scope.origin.url('/fine-json.bin')]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /argument 1: not a URL: notaurl \[INVALID_URL\]/);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const { summary } = lines.pop() as { summary: { files: number; completed: number; failed: number } };
    assert.deepEqual([summary.files, summary.completed, summary.failed], [2, 1, 1]);
    assert.deepEqual(lines[0], { entry: 'argument 1', status: 'failed', error: { code: 'INVALID_URL', message: 'not a URL: notaurl' } });
    assert.equal(lines[1]?.['status'], 'completed');
  });

  it('refuses bad options with a clear message', async () => {
    const run = await braid(['get', '-s', '99', 'http://127.0.0.1:1/x']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /a whole number from 1 to 32/);
    const sum = await braid(['get', '--checksum', 'crc=00', 'http://127.0.0.1:1/x']);
    assert.notEqual(sum.code, 0);
    assert.match(sum.stderr, /unknown checksum algorithm/);
    const mislabelled = await braid(['get', '--checksum', `sha-256=${'ab'.repeat(16)}`, 'http://127.0.0.1:1/x']);
    assert.notEqual(mislabelled.code, 0);
    assert.match(mislabelled.stderr, /a sha-256 checksum is 64 hex digits/, 'a digest of the wrong length is refused before anything downloads');
  });

  it('resumes to a byte-identical file after SIGKILL, never a "(1)" copy', async () => {
    const data = scope.origin.file('/kill.bin', 24 * MIB, { rate: 2 * MIB });
    const out = join(scope.dir, 'kill');
    const db = join(scope.dir, 'kill.db');
    const args = ['get', '-d', out, '-s', '4', '--db', db, scope.origin.url('/kill.bin')];
    const killed = await braid(args, (kill) => {
      void waitFor(() => progressIn(db) > 2 * MIB, 20_000, 'a checkpoint').then(() => kill('SIGKILL'));
    });
    assert.equal(killed.signal, 'SIGKILL');
    const before = progressIn(db);
    assert.ok(before > 0 && before < data.length, `progress at the kill: ${before}`);
    const requestsBefore = scope.origin.requests('/kill.bin').length;
    // With no engine on the database, the row the kill left says so, not "active".
    const listed = await braid(['list', '--db', db]);
    assert.match(listed.stdout, /^\s+\d+  interrupted /m, listed.stdout);
    assert.equal((JSON.parse((await braid(['list', '--json', '--db', db])).stdout) as { engineRunning: boolean }).engineRunning, false);

    const resumed = await braid([...args, '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(sha256(await readFile(join(out, 'kill.bin'))), sha256(data));
    const { summary } = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!) as { summary: { bytes: number } };
    assert.equal(summary.bytes, data.length - before, 'the summary counts what this run received, not the whole file');
    assert.deepEqual(readdirSync(out), ['kill.bin'], 'one file, no copy, no .part left');
    const fetchedAgain = scope.origin
      .requests('/kill.bin')
      .slice(requestsBefore)
      .filter((l) => l.method === 'GET' && l.range && l.range !== 'bytes=0-0')
      .map((l) => /bytes=(\d+)-(\d+)/.exec(l.range!)!)
      .reduce((n, m) => n + Number(m[2]) - Number(m[1]) + 1, 0);
    console.log(`# SIGKILL: ${before} bytes were committed at the kill; the resume asked for ${fetchedAgain} of ${data.length}`);
    assert.ok(fetchedAgain <= data.length - before, 'the resume does not fetch committed bytes again');
  });

  it('never prints the password of a URL, in get, list or their JSON', async () => {
    const withPassword = scope.origin.url('/secret-missing.bin').replace('http://', 'http://someone:hunter2@');
    // A token alone goes where the user name does.
    const withToken = scope.origin.url('/token-missing.bin').replace('http://', 'http://ghp_hunter2@');
    const db = join(scope.dir, 'password.db');
    const out = join(scope.dir, 'password');
    const runs = [
      await braid(['get', '-d', out, '--db', db, withPassword]),
      await braid(['get', '-d', out, '--db', db, withToken]),
      await braid(['get', '--json', '-d', out, '--db', db, withPassword]),
      await braid(['list', '--db', db]),
      await braid(['list', '--json', '--db', db]),
    ];
    for (const run of runs) {
      const printed = run.stdout + run.stderr;
      assert.doesNotMatch(printed, /hunter2/, printed);
    }
    assert.match(runs[0]!.stderr, /failed: http:\/\/someone:\*\*\*@127\.0\.0\.1:\d+\/secret-missing\.bin: the server answered 404/);
    assert.match(runs[4]!.stdout, /"url":"http:\/\/someone:\*\*\*@127/);
    assert.match(runs[1]!.stderr, /failed: http:\/\/\*\*\*@127\.0\.0\.1:\d+\/token-missing\.bin/);
  });

  it('promises no resume on a server that cannot resume, when a download fails or is stopped', async () => {
    // Every answer is cut after 256 KiB, and none can be continued: each try starts over, until Braid gives up.
    scope.origin.file('/no-ranges-broke.bin', 2 * MIB, { ignoreRange: true, dropAfter: 256 * 1024, dropTimes: 1000 });
    const out = join(scope.dir, 'no-ranges');
    const failed = await braid(['get', '-s', '1', '--retries', '2', '-d', out, '--db', join(scope.dir, 'no-ranges.db'), scope.origin.url('/no-ranges-broke.bin')]);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /, and the server cannot resume; started over 2 times \[CANNOT_RESUME\]; the same command downloads it from the start$/m, 'said once, and --retries caps the fresh starts too');
    assert.doesNotMatch(failed.stderr, /goes on from them/);

    scope.origin.file('/no-ranges-slow.bin', 16 * MIB, { ignoreRange: true, rate: 2 * MIB });
    const db = join(scope.dir, 'no-ranges-stop.db');
    const stopped = await braid(['get', '-d', out, '--db', db, scope.origin.url('/no-ranges-slow.bin')], (kill) => {
      void waitFor(() => progressIn(db) > 0, 20_000, 'a checkpoint').then(() => setTimeout(() => kill('SIGINT'), 300));
    });
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stdout, /downloaded 0 of 1 file, 1 stopped on a server that cannot resume \(the same command starts it over\)/);
    assert.doesNotMatch(stopped.stdout, /saved/);

    // With --json, a stopped download has its own line, saying whether the same command goes on from it.
    const ranged = scope.origin.file('/stopped-json.bin', 16 * MIB, { rate: 2 * MIB });
    const jsonDb = join(scope.dir, 'stopped-json.db');
    const json = await braid(['get', '--json', '-s', '2', '-d', out, '--db', jsonDb, scope.origin.url('/stopped-json.bin')], (kill) => {
      void waitFor(() => progressIn(jsonDb) > 0, 20_000, 'a checkpoint').then(() => setTimeout(() => kill('SIGINT'), 300));
    });
    assert.equal(json.code, 130, json.stderr);
    const [line, { summary }] = json.stdout.trim().split('\n').map((l) => JSON.parse(l)) as [Record<string, unknown>, { summary: { stopped: number; saved: number; startsOver: number } }];
    assert.deepEqual([line['status'], line['resumes']], ['stopped', true]);
    assert.ok((line['saved'] as number) > 0 && (line['saved'] as number) < ranged.length);
    assert.deepEqual([summary.stopped, summary.saved, summary.startsOver], [1, line['saved'], 0]);
  });

  for (const signal of ['SIGINT', 'SIGHUP'] as const) {
    it(`saves progress on ${signal === 'SIGINT' ? 'Ctrl+C' : 'a closed terminal (SIGHUP)'}, exits 130, and resumes later`, async () => {
      const data = scope.origin.file(`/int-${signal}.bin`, 16 * MIB, { rate: 2 * MIB });
      const out = join(scope.dir, `int-${signal}`);
      const db = join(scope.dir, `int-${signal}.db`);
      const args = ['get', '-d', out, '-s', '4', '--db', db, scope.origin.url(`/int-${signal}.bin`)];
      const interrupted = await braid(args, (kill) => {
        void waitFor(() => progressIn(db) > 0, 20_000, 'a checkpoint').then(() =>
          setTimeout(() => {
            kill(signal);
            // A second Ctrl-C a moment later (or `timeout` signalling the process and its group) is the same stop.
            if (signal === 'SIGINT') setTimeout(() => kill(signal), 5);
          }, 300),
        );
      });
      assert.equal(interrupted.code, 130, interrupted.stderr);
      assert.match(interrupted.stderr, /saving progress/);
      const raw = new Database(db, { readonly: true });
      const row = raw.prepare('SELECT status, stop_reason, bytes_done FROM downloads').get() as { status: string; stop_reason: string; bytes_done: number };
      raw.close();
      assert.equal(row.status, 'queued');
      assert.equal(row.stop_reason, 'shutdown');
      assert.ok(row.bytes_done > 0 && row.bytes_done < data.length);
      assert.match(interrupted.stdout, /downloaded 0 of 1 file, 1 stopped with [\d.]+ [KM]iB saved \(the same command resumes\)/);
      const resumed = await braid(args);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(sha256(await readFile(join(out, `int-${signal}.bin`))), sha256(data));
    });
  }

  it('refuses a second engine on the same database, lets add in, and the running engine picks it up', async () => {
    const data = scope.origin.file('/locked.bin', 12 * MIB, { rate: 2 * MIB });
    const small = scope.origin.file('/queued-later.bin', 256 * 1024);
    const out = join(scope.dir, 'lock');
    const db = join(scope.dir, 'lock.db');
    let checks: Promise<[Run, Run]> | null = null;
    const first = await braid(['get', '-d', out, '-s', '2', '--db', db, scope.origin.url('/locked.bin')], () => {
      checks = waitFor(() => existsSync(`${db}.lock`), 20_000, 'the engine lock').then(async () => [
        await braid(['get', '-d', out, '--db', db, scope.origin.url('/fine.bin')]),
        await braid(['add', '-d', out, '--db', db, scope.origin.url('/queued-later.bin')]),
      ]);
    });
    const [second, added] = await checks!;
    assert.equal(first.code, 0, first.stderr);
    assert.equal(sha256(await readFile(join(out, 'locked.bin'))), sha256(data));
    assert.equal(second.code, 2);
    assert.match(second.stderr, /another Braid \(pid \d+\) is running downloads/);
    assert.match(second.stderr, /a `braid get` runs only its own list, so wait for it to end, or give this command another database with --db FILE/);
    assert.equal(added.code, 0, added.stderr);
    assert.ok(!existsSync(`${db}.lock`), 'the lock is released on exit');

    // `serve` runs the whole queue, including what `add` put there from another process.
    const serve = spawn(process.execPath, [BRAID, 'serve', '--port', '0', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await waitFor(() => existsSync(join(out, 'queued-later.bin')), 20_000, 'the queued download');
      assert.equal(sha256(await readFile(join(out, 'queued-later.bin'))), sha256(small));
    } finally {
      serve.kill('SIGINT');
      await new Promise((r) => serve.once('exit', r));
    }
  });

  it('queues with add (paused) and shows them with list', async () => {
    const db = join(scope.dir, 'queue.db');
    const add = await braid(['add', '--paused', '-d', join(scope.dir, 'q'), '--db', db, scope.origin.url('/a.bin'), scope.origin.url('/b.bin'), 'data:text/plain,x']);
    assert.equal(add.code, 1, 'a refused entry makes the exit code non-zero');
    assert.match(add.stdout, /queued 2 downloads \(paused\), 1 refused/);
    assert.match(add.stderr, /unsupported scheme data:/);
    const list = await braid(['list', '--db', db]);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /paused .*a\.bin/);
    assert.match(list.stdout, /2 downloads: 2 paused/);
  });

  it('opens a new database that another Braid is creating at the same instant', async () => {
    // This test plays the other Braid: it holds the write lock while it creates the schema, after the command
    // has read the schema version of the still-empty file. The command must not create it a second time.
    const db = join(scope.dir, 'racing.db');
    const other = new Database(db);
    other.pragma('journal_mode = WAL');
    other.exec('BEGIN IMMEDIATE');
    const adding = braid(['add', '--paused', '--db', db, 'http://127.0.0.1:9/a']);
    await new Promise((r) => setTimeout(r, 1000));
    for (const m of MIGRATIONS) m.up(other);
    other.pragma(`user_version = ${SCHEMA_VERSION}`);
    other.exec('COMMIT');
    other.close();
    const run = await adding;
    assert.equal(run.code, 0, run.stderr);
    assert.match((await braid(['list', '--db', db])).stdout, /1 download: 1 paused/);
  });

  it('says so in one line when another program holds the database locked', async () => {
    const db = join(scope.dir, 'held.db');
    assert.equal((await braid(['add', '--paused', '--db', db, 'http://127.0.0.1:9/a'])).code, 0);
    const holder = spawn(
      process.execPath,
      ['-e', `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(db)}); db.exec('BEGIN EXCLUSIVE'); console.log('held'); setTimeout(() => { db.exec('COMMIT'); db.close(); }, 15000);`],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: join(import.meta.dirname, '../..') },
    );
    try {
      await new Promise((r) => holder.stdout!.once('data', r));
      const run = await braid(['add', '--paused', '--db', db, 'http://127.0.0.1:9/b']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^braid: the state database is locked by another program; nothing was changed/m);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      holder.kill();
    }
    const list = await braid(['list', '--db', db]);
    assert.match(list.stdout, /1 download: 1 paused/, 'the first entry is intact, the refused one was not added');
  });

  it('refuses an unreadable or damaged database in one line, and leaves the file as it was', async () => {
    const good = join(scope.dir, 'good.db');
    const urls = Array.from({ length: 300 }, (_, i) => `http://127.0.0.1:9/f${i}.bin`);
    assert.equal((await braid(['add', '--paused', '--db', good, ...urls])).code, 0);
    const whole = await readFile(good);
    const damagedPage = Buffer.from(whole);
    damagedPage.fill(0x58, 4096, 4096 + 64); // scribble over the start of the second page
    const cases: [string, Buffer][] = [
      ['garbage.db', randomBytes(64 * 1024)],
      ['truncated.db', whole.subarray(0, 8192)],
      ['scribbled.db', damagedPage],
    ];
    for (const [name, bytes] of cases) {
      const path = join(scope.dir, name);
      await writeFile(path, bytes);
      for (const args of [['list'], ['add', 'http://127.0.0.1:9/new.bin'], ['get', 'http://127.0.0.1:9/new.bin']]) {
        const run = await braid([...args, '--db', path]);
        console.log(`# ${name}, ${args[0]}: exit ${run.code}: ${run.stderr.trim()}`);
        assert.equal(run.code, 2, `${name} ${args[0]}`);
        assert.match(run.stderr, /^braid: (cannot open the database|the state database cannot be used).*move the file aside/m);
        assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
        assert.ok((await readFile(path)).equals(bytes), `${name} left as it was`);
      }
    }
  });

  it('says a --db that names a folder is a folder, not a damaged database', async () => {
    const folder = join(scope.dir, 'a-folder');
    await mkdir(folder, { recursive: true });
    const run = await braid(['list', '--db', folder]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^braid: the database .*a-folder is a folder; give the path of a file in it, such as .*a-folder\/braid\.db$/m);
    assert.doesNotMatch(run.stderr, /move the file aside/);
  });

  it('refuses a database from a newer Braid without touching it', async () => {
    const path = join(scope.dir, 'future.db');
    const raw = new Database(path);
    raw.pragma('user_version = 999');
    raw.close();
    const run = await braid(['list', '--db', path]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /newer Braid/);
  });
});
