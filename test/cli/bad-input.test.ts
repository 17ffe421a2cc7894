import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BRAID, braid } from '../support/cli';
import { sha256 } from '../support/origin';
import { originAndFolder } from '../support/origin-and-folder';

describe('braid with bad input', () => {
  const scope = originAndFolder('braid-input-');

  it('says what is wrong with an option in one line and a pointer, and exits 2', async () => {
    for (const [args, says] of [
      [['get', '-s', '0', 'http://127.0.0.1:1/x'], /argument '0' is invalid: a whole number from 1 to 32/],
      [['get', '-j', 'abc', 'http://127.0.0.1:1/x'], /argument 'abc' is invalid/],
      [['get', '-i', join(scope.dir, 'missing.txt')], /cannot read it \(ENOENT\)/],
      [['get', '-i', scope.dir], /it is a folder, not a list of URLs/],
      [['get', '-i', process.execPath], /it is not a text list of URLs \(a binary file, or text saved as UTF-16: save it as UTF-8\)/],
      [['get', '-o', '..', 'http://127.0.0.1:1/x'], /argument '\.\.' is invalid: it is not a file name/],
      [['get', '-d', process.execPath, 'http://127.0.0.1:1/x'], /is invalid: it is a file, not a folder/],
      [['get', '--header', 'Range: bytes=0-1', 'http://127.0.0.1:1/x'], /is invalid: Braid sets Range itself/],
      [['add', '-d', process.execPath, 'http://127.0.0.1:1/x'], /is invalid: it is a file, not a folder/],
      [['list', '--status', 'nope'], /nope/],
      [['bogus'], /unknown command 'bogus'/],
      // An option of another downloader is answered with Braid's own way of doing it.
      [['get', '-c', 'http://127.0.0.1:1/x'], /^braid: unknown option '-c'\n\(Braid always resumes: run the same command again\)\n/],
      [['get', '--limit-rate=1M', 'http://127.0.0.1:1/x'], /\(--limit RATE \(e\.g\. 2M\) caps the speed\)/],
    ] as const) {
      const run = await braid([...args, '--db', join(scope.dir, 'bad.db')]);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, says);
      assert.match(run.stderr, /^braid: /, 'said as Braid says every mistake');
      const pointer = args[0] === 'bogus' ? '(braid --help shows the commands)' : `(braid ${args[0]} --help shows the options)`;
      assert.ok(run.stderr.includes(pointer), `${args.join(' ')} points to ${pointer}: ${run.stderr}`);
      assert.doesNotMatch(run.stderr, /Usage:|at .*\(/, 'neither the whole help nor a stack trace');
    }
  });

  it('refuses a list it may not read in one line, for get and add alike', async (t) => {
    // Root reads any file, so the command runs as nobody there; anyone else cannot read a file of mode 000.
    const asRoot = process.getuid?.() === 0;
    const nobody = { uid: 65534, gid: 65534 };
    if (asRoot && spawnSync(process.execPath, ['-e', `require('fs').readFileSync(${JSON.stringify(BRAID)})`], nobody).status !== 0) {
      t.skip('this checkout is not readable by nobody');
      return;
    }
    const dir = join(scope.dir, 'unreadable');
    await mkdir(dir, { recursive: true });
    // The list's folder is open to its reader: only the list itself is not, so it is the read that is refused.
    await chmod(scope.dir, 0o755);
    await chmod(dir, 0o777);
    const list = join(dir, 'list.txt');
    await writeFile(list, `${scope.origin.url('/never.bin')}\n`, { mode: 0o000 });
    for (const command of ['get', 'add']) {
      const run = spawnSync(process.execPath, [BRAID, command, '-i', list, '-d', dir, '--db', join(dir, `${command}.db`)], {
        encoding: 'utf8',
        ...(asRoot ? nobody : {}),
      });
      assert.equal(run.status, 2, `${command}: ${run.stderr}`);
      assert.match(run.stderr, /argument '.*list\.txt' is invalid: cannot read it \(EACCES\)/);
      assert.doesNotMatch(run.stderr, /at .*\(/, 'no stack trace');
    }
    assert.equal(scope.origin.requests('/never.bin').length, 0);
  });

  it('exits 2 when every entry given is a mistake, with no run summed up (but for --json\'s last line); 1 when some of them went on', async () => {
    const db = join(scope.dir, 'all-bad.db');
    const allBad = await braid(['get', '-d', join(scope.dir, 'all-bad'), '--db', db, 'notaurl', 'ftp://127.0.0.1/x']);
    assert.equal(allBad.code, 2, allBad.stderr);
    assert.match(allBad.stderr, /argument 1: not a URL: notaurl \[INVALID_URL\]/);
    assert.match(allBad.stderr, /argument 2: unsupported scheme ftp/);
    assert.equal(allBad.stdout, '', 'no summary of a run that never was');
    const json = await braid(['get', '--json', '-d', join(scope.dir, 'all-bad'), '--db', db, 'notaurl']);
    assert.equal(json.code, 2, json.stderr);
    const [line, last] = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(line, { entry: 'argument 1', status: 'failed', error: { code: 'INVALID_URL', message: 'not a URL: notaurl' } });
    // A reader of the lines still gets the summary last.
    const summary = last!['summary'] as { files: number; failed: number; completed: number; bytes: number; seconds: number };
    assert.deepEqual([summary.files, summary.failed, summary.completed, summary.bytes, summary.seconds], [1, 1, 0, 0, 0]);
    scope.origin.file('/some-good.bin', 1000);
    const someGood = await braid(['get', '-d', join(scope.dir, 'all-bad'), '--db', db, 'notaurl', scope.origin.url('/some-good.bin')]);
    assert.equal(someGood.code, 1, someGood.stderr);
    const add = await braid(['add', '--db', db, 'notaurl']);
    assert.equal(add.code, 2, add.stderr);
    assert.match(add.stderr, /argument 1: not a URL: notaurl \[INVALID_URL\]/);
  });

  it('says so when the name -o gives is taken in the folder, and which name it saved under', async () => {
    const data = scope.origin.file('/named.bin', 1000);
    const out = join(scope.dir, 'taken');
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'mine.bin'), 'not to be written over');
    const run = await braid(['get', '-o', 'mine.bin', '-d', out, '--db', join(scope.dir, 'taken.db'), scope.origin.url('/named.bin')]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stderr.includes(`mine.bin was taken in ${out}: saved as mine (1).bin`), run.stderr);
    assert.equal(await readFile(join(out, 'mine.bin'), 'utf8'), 'not to be written over');
    assert.equal(sha256(await readFile(join(out, 'mine (1).bin'))), sha256(data));
  });

  it('still exits 0 for --help and --version', async () => {
    for (const args of [['--help'], ['--version'], ['get', '--help']]) assert.equal((await braid(args)).code, 0, args.join(' '));
  });

  it('reads the list from standard input with -i -', async () => {
    const data = scope.origin.file('/stdin.bin', 200_000);
    const out = join(scope.dir, 'stdin');
    const run = await braid(['get', '-i', '-', '-d', out, '--db', join(scope.dir, 'stdin.db')], undefined, undefined, { input: `${scope.origin.url('/stdin.bin')}\n` });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(sha256(await readFile(join(out, 'stdin.bin'))), sha256(data));
    // A pipe by its path (`-i <(command)`) is read whole: nothing looks into it first and takes lines.
    const byPath = scope.origin.file('/by-path.bin', 1000);
    const fifo = join(scope.dir, 'urls.fifo');
    execFileSync('mkfifo', [fifo]);
    const piped = braid(['get', '-i', fifo, '-d', out, '--db', join(scope.dir, 'stdin.db')]);
    await writeFile(fifo, `${scope.origin.url('/by-path.bin')}\n`);
    const done = await piped;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(sha256(await readFile(join(out, 'by-path.bin'))), sha256(byPath));
    // One that cannot be read as a file (on Linux, a socket: the test's own standard input) is one line, not a crash.
    if (process.platform !== 'linux') return;
    const socket = await braid(['get', '-i', '/dev/stdin', '-d', out, '--db', join(scope.dir, 'stdin.db')], undefined, undefined, { input: 'x\n' });
    assert.equal(socket.code, 2, socket.stderr);
    assert.match(socket.stderr, /^braid: cannot read the list \/dev\/stdin \(ENXIO\)\n$/);
  });

  it('says a list with no URLs in it has nothing to download, and exits 2 as for no URL at all', async () => {
    const list = join(scope.dir, 'only-comments.txt');
    await writeFile(list, '# nothing yet\n\n');
    for (const [args, input, says] of [
      [['get', '-i', '-'], '', /nothing to download: standard input has no URLs/],
      [['get', '-i', list], undefined, /nothing to download: .*only-comments\.txt has no URLs/],
      [['add', '-i', list], undefined, /nothing to add: .*only-comments\.txt has no URLs/],
    ] as const) {
      const run = await braid([...args, '--db', join(scope.dir, 'empty.db')], undefined, undefined, input === undefined ? undefined : { input });
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, says);
      assert.match(run.stderr, /^braid: /, 'said as Braid says every mistake');
      assert.doesNotMatch(run.stdout, /downloaded 0 of 0|queued 0/);
    }
  });

  it('counts a list option it ignores as a warning, not as a failed download', async () => {
    const data = scope.origin.file('/with-option.bin', 100_000);
    const list = join(scope.dir, 'options.txt');
    await writeFile(list, `${scope.origin.url('/with-option.bin')}\n  unknown-option=1\n`);
    const out = join(scope.dir, 'options');
    const run = await braid(['get', '--json', '-i', list, '-d', out, '--db', join(scope.dir, 'options.db')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /options\.txt:2: unknown option "unknown-option" ignored/);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!).summary;
    assert.deepEqual([summary.files, summary.completed, summary.failed], [1, 1, 0]);
    const failed = await braid(['list', '--status', 'failed', '--db', join(scope.dir, 'options.db')]);
    assert.match(failed.stdout, /^0 failed of 1 download: 1 completed$/m, 'what matched, then the whole queue');
    assert.equal(sha256(await readFile(join(out, 'with-option.bin'))), sha256(data));
  });

  it('takes the options of the get that asks again: a mistyped checksum is corrected by running get with the right one', async () => {
    const data = scope.origin.file('/checked.bin', 300_000);
    const args = ['get', '-d', join(scope.dir, 'checked'), '--db', join(scope.dir, 'checked.db'), scope.origin.url('/checked.bin')];
    const wrong = await braid([...args, '--checksum', `sha-256=${'0'.repeat(64)}`, '--json']);
    assert.equal(wrong.code, 1, wrong.stderr);
    assert.match(wrong.stderr, /CHECKSUM_ERROR/);
    assert.match(wrong.stderr, /what arrived stays in checked\.bin\.part to look at, and is fetched again if the download is retried/);
    await stat(join(scope.dir, 'checked', 'checked.bin.part'));
    const failed = JSON.parse(wrong.stdout.split('\n')[0]!) as { status: string; path?: string };
    assert.equal(failed.status, 'failed');
    assert.equal(failed.path, undefined, 'no path where there is no file');
    const right = await braid([...args, '--checksum', `sha-256=${sha256(data)}`]);
    assert.equal(right.code, 0, right.stderr);
    assert.match(right.stdout, /completed #1 /, 'the same download, not a second one');
    assert.equal(sha256(await readFile(join(scope.dir, 'checked', 'checked.bin'))), sha256(data));
  });

  it('drops a checksum given before with --checksum none, for one who does not know the right one', async () => {
    const data = scope.origin.file('/unchecked.bin', 300_000);
    const args = ['get', '-d', join(scope.dir, 'unchecked'), '--db', join(scope.dir, 'unchecked.db'), scope.origin.url('/unchecked.bin')];
    assert.equal((await braid([...args, '--checksum', `md5=${'0'.repeat(32)}`])).code, 1);
    const again = await braid(args);
    assert.equal(again.code, 1, 'left out, the checksum given before still holds');
    assert.match(again.stderr, /CHECKSUM_ERROR/);
    const dropped = await braid([...args, '--checksum', 'none']);
    assert.equal(dropped.code, 0, dropped.stderr);
    assert.match(dropped.stdout, /completed #1 /, 'the same download, not a second one');
    assert.equal(sha256(await readFile(join(scope.dir, 'unchecked', 'unchecked.bin'))), sha256(data));
  });

  it('keeps the options the get that asks again leaves out: -s given to add stays', async () => {
    scope.origin.file('/kept.bin', 300_000);
    const common = ['-d', join(scope.dir, 'kept'), '--db', join(scope.dir, 'kept.db')];
    const added = await braid(['add', '--paused', '-s', '3', ...common, scope.origin.url('/kept.bin')]);
    assert.equal(added.code, 0, added.stderr);
    const got = await braid(['get', ...common, scope.origin.url('/kept.bin')]);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /completed #1 /, 'the same download, not a second one');
    const listed = await braid(['list', '--json', '--db', join(scope.dir, 'kept.db')]);
    const { items } = JSON.parse(listed.stdout) as { items: { options: { segments?: number } }[] };
    assert.equal(items[0]!.options.segments, 3);
  });

  it('add says an entry already in the queue, however written, or given twice, and does not queue it again', async () => {
    const db = join(scope.dir, 'twice.db');
    const common = ['--paused', '-d', join(scope.dir, 'twice'), '--db', db];
    const url = scope.origin.url('/twice.bin');
    const first = await braid(['add', ...common, url]);
    assert.equal(first.stdout, 'queued 1 download (paused)\n', first.stderr);
    const only = await braid(['add', ...common, url]);
    assert.equal(only.code, 0, 'nothing wrong with the input');
    assert.equal(only.stdout, 'queued 0 downloads (paused), 1 already in the queue\n');
    const list = join(scope.dir, 'twice.txt');
    // The same file written another way, a new one given twice, and another folder (a download of its own).
    await writeFile(list, `${url.replace('http://', 'HTTP://')}\n${scope.origin.url('/other.bin')}\n${scope.origin.url('/other.bin')}\n${url}\n  dir=${join(scope.dir, 'elsewhere')}\n`);
    const again = await braid(['add', ...common, '-i', list]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'queued 2 downloads (paused), 2 already in the queue\n');
    assert.match(again.stderr, /twice\.txt:1: already in the queue as #1 \(paused\), not added again/);
    assert.match(again.stderr, /twice\.txt:3: already in the queue as #2 \(paused\), not added again/);
    const listed = JSON.parse((await braid(['list', '--json', '--db', db])).stdout) as { items: { url: string; folder: string }[] };
    assert.equal(listed.items.length, 3);
    // Without -d, where the download goes (the settings' folder; paused, nothing is written there).
    const plain = ['add', '--paused', '--db', db, scope.origin.url('/no-folder.bin')];
    assert.equal((await braid(plain)).stdout, 'queued 1 download (paused)\n');
    assert.equal((await braid(plain)).stdout, 'queued 0 downloads (paused), 1 already in the queue\n');
  });

  it('list of a database that does not exist shows nothing and does not create it', async () => {
    const db = join(scope.dir, 'never.db');
    const run = await braid(['list', '--db', db]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '0 downloads: none\n');
    assert.equal(existsSync(db), false);
  });

  it('serve names a port in use and exits 2', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = await braid(['serve', '--port', String(port), '--db', join(scope.dir, 'serve.db')]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`cannot serve on 127\\.0\\.0\\.1:${port}: the port is in use`));
    } finally {
      taken.close();
    }
  });
});
