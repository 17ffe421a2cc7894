import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { braid } from '../support/cli';
import { tempDir } from '../support/harness';
import { TestOrigin } from '../support/origin';

const MIB = 1024 * 1024;

describe('braid with a reader that stops reading', () => {
  let origin: TestOrigin;
  let dir: string;
  before(async () => {
    origin = await new TestOrigin().start();
    dir = await tempDir('braid-closed-');
  });
  after(async () => {
    await origin.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('list ends quietly', async () => {
    const db = join(dir, 'list.db');
    const urls = Array.from({ length: 50 }, (_, i) => origin.url(`/queued-${i}.bin`));
    const added = await braid(['add', '--db', db, ...urls]);
    assert.equal(added.code, 0, added.stderr);
    const run = await braid(['list', '--db', db], undefined, undefined, { closedStdout: true });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', 'no stack trace');
  });

  it('get stops as on Ctrl-C, saving its progress', async () => {
    origin.file('/first.bin', 64 * 1024);
    origin.file('/second.bin', 32 * MIB, { rate: 2 * MIB });
    const db = join(dir, 'get.db');
    const out = join(dir, 'get');
    const args = ['get', '-j', '1', '-d', out, '--db', db, origin.url('/first.bin'), origin.url('/second.bin')];
    // The first download's line cannot be written: the command stops there instead of crashing.
    const run = await braid(args, undefined, undefined, { closedStdout: true });
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /stopping: saving progress/);
    assert.doesNotMatch(run.stderr, /EPIPE|at .*\(/, 'no stack trace');
    const list = await braid(['list', '--db', db]);
    assert.match(list.stdout, /completed .*first\.bin/);
    assert.doesNotMatch(list.stdout, /failed/);
  });
});
