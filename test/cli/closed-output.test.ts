import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { braid } from '../support/cli';
import { originAndFolder } from '../support/origin-and-folder';

const MIB = 1024 * 1024;

describe('braid with a reader that stops reading', () => {
  const scope = originAndFolder('braid-closed-');

  it('list ends quietly', async () => {
    const db = join(scope.dir, 'list.db');
    const urls = Array.from({ length: 50 }, (_, i) => scope.origin.url(`/queued-${i}.bin`));
    const added = await braid(['add', '--db', db, ...urls]);
    assert.equal(added.code, 0, added.stderr);
    const run = await braid(['list', '--db', db], undefined, undefined, { closedStdout: true });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', 'no stack trace');
  });

  it('get stops as on Ctrl-C, saving its progress', async () => {
    scope.origin.file('/first.bin', 64 * 1024);
    scope.origin.file('/second.bin', 32 * MIB, { rate: 2 * MIB });
    const db = join(scope.dir, 'get.db');
    const out = join(scope.dir, 'get');
    const args = ['get', '-j', '1', '-d', out, '--db', db, scope.origin.url('/first.bin'), scope.origin.url('/second.bin')];
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
