import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createEngine } from '../../electron/engine/index';
import { openDatabase } from '../../electron/store/database';
import { SqliteDownloadRepository } from '../../electron/store/download-repository';
import { braid } from '../support/cli';
import { sha256 } from '../support/origin';
import { originAndFolder } from '../support/origin-and-folder';

const MIB = 1024 * 1024;

interface Summary {
  files: number;
  completed: number;
  already: number;
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('get run again', () => {
  const scope = originAndFolder('braid-again-');
  const gets = (path: string) => scope.origin.requests(path).filter((l) => l.method === 'GET').length;

  it('reports a file an earlier run finished and fetches nothing; fetches it again, under its own name, once it is gone or changed', async () => {
    const data = scope.origin.file('/done.bin', 2 * MIB);
    const out = join(scope.dir, 'done');
    const args = ['get', '-d', out, '--db', join(scope.dir, 'done.db'), scope.origin.url('/done.bin')];
    const first = await braid(args);
    assert.equal(first.code, 0, first.stderr);
    const fetched = gets('/done.bin');

    const again = await braid(args);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^already downloaded #1 .*done\.bin \(move or delete it to download it again\)$/m);
    assert.match(again.stdout, /downloaded 0 of 1 file, 1 already there/);
    assert.equal(gets('/done.bin'), fetched, 'nothing was fetched');

    const json = await braid([...args, '--json']);
    const [line, { summary }] = jsonLines(json.stdout) as [Record<string, unknown>, { summary: Summary }];
    assert.deepEqual(line, { id: 1, url: scope.origin.url('/done.bin'), status: 'completed', path: join(out, 'done.bin'), bytes: data.length, already: true });
    assert.deepEqual([summary.files, summary.completed, summary.already], [1, 0, 1]);

    await truncate(join(out, 'done.bin'), MIB);
    const afterChange = await braid(args);
    assert.equal(afterChange.code, 0, afterChange.stderr);
    assert.match(afterChange.stdout, /completed #\d+ .*done \(1\)\.bin/, 'a file changed since is not the one finished: a fresh copy, the changed one kept');
    assert.match(afterChange.stderr, /done\.bin is there, but at 1 MiB, not the [\d.]+ MiB it was downloaded at: downloading it again beside it/);

    await rm(join(out, 'done.bin'));
    await rm(join(out, 'done (1).bin'));
    const afterDelete = await braid(args);
    assert.equal(afterDelete.code, 0, afterDelete.stderr);
    assert.deepEqual(readdirSync(out), ['done.bin']);
    assert.equal(sha256(await readFile(join(out, 'done.bin'))), sha256(data));
  });

  it('reads a finished file to tell whether it is the one a checksum given now asks for, and fetches it again beside it if not', async () => {
    const data = scope.origin.file('/sum.bin', MIB);
    const out = join(scope.dir, 'sum');
    const args = ['get', '-d', out, '--db', join(scope.dir, 'sum.db'), scope.origin.url('/sum.bin')];
    assert.equal((await braid(args)).code, 0);
    const fetched = gets('/sum.bin');
    const checked = await braid([...args, '--checksum', `sha-256=${sha256(data).toUpperCase()}`]);
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stdout, /^already downloaded #1 /m);
    assert.equal(gets('/sum.bin'), fetched, 'nothing was fetched');

    const wrong = await braid([...args, '--checksum', `sha-256=${'ab'.repeat(32)}`]);
    assert.match(wrong.stderr, new RegExp(`sum\\.bin is there, but its sha-256 is ${sha256(data)}, not the one given: downloading it again beside it`));
    assert.equal(wrong.code, 1, 'the server\'s file does not match it either');
    assert.equal(sha256(await readFile(join(out, 'sum.bin'))), sha256(data), 'the file there is left as it is');
  });

  it('takes a finished file that matches the checksum given, even after a run with a mistyped one fetched a copy', async () => {
    const data = scope.origin.file('/typo.bin', MIB);
    const out = join(scope.dir, 'typo');
    const args = ['get', '-d', out, '--db', join(scope.dir, 'typo.db'), scope.origin.url('/typo.bin')];
    assert.equal((await braid(args)).code, 0);
    const mistyped = await braid([...args, '--checksum', `sha-256=${'cd'.repeat(32)}`]);
    assert.equal(mistyped.code, 1, 'the copy fetched does not match the mistyped checksum either');
    const fetched = gets('/typo.bin');
    const right = await braid([...args, '--checksum', `sha-256=${sha256(data)}`]);
    assert.equal(right.code, 0, right.stderr);
    assert.match(right.stdout, /^already downloaded #1 /m);
    assert.equal(gets('/typo.bin'), fetched, 'nothing was fetched');
  });

  it('downloads an entry given twice once, within a list and across the list and the arguments', async () => {
    const one = scope.origin.file('/one.bin', MIB);
    scope.origin.file('/two.bin', MIB);
    const list = join(scope.dir, 'twice.txt');
    await writeFile(list, [scope.origin.url('/one.bin'), scope.origin.url('/two.bin'), scope.origin.url('/one.bin').replace('http:', 'HTTP:'), scope.origin.url('/two.bin'), ''].join('\n'));
    const out = join(scope.dir, 'twice');
    const run = await braid(['get', '-d', out, '--db', join(scope.dir, 'twice.db'), '-i', list, '--json', scope.origin.url('/one.bin')]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['one.bin', 'two.bin']);
    assert.equal(sha256(await readFile(join(out, 'one.bin'))), sha256(one));
    assert.match(run.stderr, /twice\.txt:1: given again, downloaded once/);
    assert.match(run.stderr, /twice\.txt:3: given again, downloaded once/, 'the same URL written another way');
    assert.match(run.stderr, /twice\.txt:4: given again, downloaded once/);
    const summary = (jsonLines(run.stdout).at(-1) as { summary: Summary }).summary;
    assert.deepEqual([summary.files, summary.completed], [2, 2]);
  });

  it('takes the newer of a finished download and one left queued: a URL added twice is not fetched twice by get', async () => {
    scope.origin.file('/twice-added.bin', MIB);
    const out = join(scope.dir, 'added');
    const db = join(scope.dir, 'added.db');
    // `braid add` says the second is in the queue already; the window's "Download again" queues it twice.
    const state = openDatabase(db);
    const engine = createEngine({ repo: new SqliteDownloadRepository(state) });
    for (let i = 0; i < 2; i++) assert.ok((await engine.add([{ url: scope.origin.url('/twice-added.bin'), folder: out }]))[0]!.ok);
    await engine.close();
    state.close();
    const args = ['get', '-d', out, '--db', db, scope.origin.url('/twice-added.bin')];
    assert.equal((await braid(args)).code, 0);
    const again = await braid(args);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^already downloaded #2 /m);
    assert.deepEqual(readdirSync(out), ['twice-added.bin']);
  });

  it('says so when an entry given again asks for other options, which are not used', async () => {
    const data = scope.origin.file('/options.bin', MIB);
    const list = join(scope.dir, 'options.txt');
    await writeFile(list, [scope.origin.url('/options.bin'), scope.origin.url('/options.bin'), `  checksum=sha-256=${sha256(data)}`, ''].join('\n'));
    const run = await braid(['get', '-d', join(scope.dir, 'options'), '--db', join(scope.dir, 'options.db'), '-i', list]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /options\.txt:2: given again, downloaded once, with the options given first/);
  });
});
