import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { braid } from '../support/cli';
import { sha256 } from '../support/origin';
import { originAndFolder } from '../support/origin-and-folder';

const QUEUED_AHEAD = 17_000;

describe('braid get behind a long queue', () => {
  const scope = originAndFolder('braid-queue-');

  it(`downloads its own URL and exits 0 when the database holds ${QUEUED_AHEAD} queued downloads before it`, async () => {
    const db = join(scope.dir, 'state.db');
    const list = join(scope.dir, 'ahead.txt');
    // Nothing listens on port 9 of this machine: these are never run by `get`, only queued ahead of its own.
    await writeFile(list, Array.from({ length: QUEUED_AHEAD }, (_, i) => `http://127.0.0.1:9/ahead-${i}.bin`).join('\n'));
    const add = await braid(['add', '-i', list, '-d', join(scope.dir, 'ahead'), '--db', db]);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, new RegExp(`queued ${QUEUED_AHEAD} downloads`));

    const data = scope.origin.file('/behind.bin', 256 * 1024);
    const out = join(scope.dir, 'files');
    let timedOut = false;
    const get = await braid(['get', '-d', out, '--db', db, scope.origin.url('/behind.bin')], (kill) => {
      setTimeout(() => {
        timedOut = true;
        kill('SIGKILL');
      }, 60_000).unref();
    });
    assert.equal(timedOut, false, 'braid get hung behind the queue');
    assert.equal(get.code, 0, get.stderr);
    assert.equal(sha256(await readFile(join(out, 'behind.bin'))), sha256(data));
  });
});
