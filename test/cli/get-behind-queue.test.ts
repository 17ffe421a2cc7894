import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { braid } from '../support/cli';
import { tempDir } from '../support/harness';
import { sha256, TestOrigin } from '../support/origin';

const QUEUED_AHEAD = 17_000;

describe('braid get behind a long queue', () => {
  let origin: TestOrigin;
  let dir: string;
  before(async () => {
    origin = await new TestOrigin().start();
    dir = await tempDir('braid-queue-');
  });
  after(async () => {
    await origin.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(`downloads its own URL and exits 0 when the database holds ${QUEUED_AHEAD} queued downloads before it`, async () => {
    const db = join(dir, 'state.db');
    const list = join(dir, 'ahead.txt');
    // Nothing listens on port 9 of this machine: these are never run by `get`, only queued ahead of its own.
    await writeFile(list, Array.from({ length: QUEUED_AHEAD }, (_, i) => `http://127.0.0.1:9/ahead-${i}.bin`).join('\n'));
    const add = await braid(['add', '-i', list, '-d', join(dir, 'ahead'), '--db', db]);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, new RegExp(`queued ${QUEUED_AHEAD} downloads`));

    const data = origin.file('/behind.bin', 256 * 1024);
    const out = join(dir, 'files');
    let timedOut = false;
    const get = await braid(['get', '-d', out, '--db', db, origin.url('/behind.bin')], (kill) => {
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
