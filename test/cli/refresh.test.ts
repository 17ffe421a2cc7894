// `braid refresh ID URL` on the built command: a download whose link expired mid-download (LINK_EXPIRED from
// `braid get`) is given a fresh link and finished byte-identical; a link to another file is refused with
// nothing changed, and taken from the start only with --start-over.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { braid } from '../support/cli';
import { sha256 } from '../support/origin';
import { originAndFolder } from '../support/origin-and-folder';

const MIB = 1024 * 1024;

describe('braid refresh', () => {
  const scope = originAndFolder('braid-cli-refresh-');

  async function expiredDownload(name: string): Promise<{ id: number; db: string; out: string; data: Buffer }> {
    const data = scope.origin.file(`/old/${name}`, 3 * MIB, { expireAfterBytes: MIB, dropAfter: 128 * 1024, dropTimes: 1000 });
    const db = join(scope.dir, `${name}.db`);
    const out = join(scope.dir, name);
    const get = await braid(['get', '-d', out, '-s', '4', '--db', db, scope.origin.url(`/old/${name}`)]);
    assert.equal(get.code, 1, get.stderr);
    assert.match(get.stderr, /the link expired.*\[LINK_EXPIRED\]/);
    const id = Number(/braid refresh (\d+) URL/.exec(get.stderr)?.[1]);
    assert.ok(id > 0, get.stderr);
    return { id, db, out, data };
  }

  it('finishes a download whose link expired from a fresh link, byte-identical', async () => {
    const { id, db, out, data } = await expiredDownload('a.bin');
    scope.origin.serve('/new/a.bin', data);
    const run = await braid(['refresh', String(id), scope.origin.url('/new/a.bin'), '--db', db]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /same file \(same size and ETag\): going on from the/);
    assert.match(run.stdout, /completed #\d+ .*a\.bin/);
    assert.equal(sha256(await readFile(join(out, 'a.bin'))), sha256(data));
  });

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`gives a new link to a download a get ${signal === 'SIGINT' ? 'interrupted' : 'killed'} left, and says first what is wrong with a bad URL`, async () => {
      const data = scope.origin.file(`/old/c-${signal}.bin`, 3 * MIB, { rate: MIB });
      const db = join(scope.dir, `c-${signal}.db`);
      const out = join(scope.dir, `c-${signal}`);
      const get = await braid(['get', '-d', out, '-s', '2', '--db', db, scope.origin.url(`/old/c-${signal}.bin`)], (kill) => {
        setTimeout(() => kill(signal), 800);
      });
      if (signal === 'SIGINT') assert.equal(get.code, 130, get.stderr);
      const [left] = (JSON.parse((await braid(['list', '--json', '--db', db])).stdout) as { items: { id: number; status: string }[] }).items;
      assert.equal(left!.status, signal === 'SIGINT' ? 'queued' : 'active', 'a killed get leaves its download marked active');
      const bad = await braid(['refresh', String(left!.id), 'notaurl', '--db', db]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /INVALID_URL/);
      scope.origin.serve(`/new/c-${signal}.bin`, data);
      const run = await braid(['refresh', String(left!.id), scope.origin.url(`/new/c-${signal}.bin`), '--db', db]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(sha256(await readFile(join(out, `c-${signal}.bin`))), sha256(data));
    });
  }

  it('refuses a link to another file, and starts over from it only with --start-over', async () => {
    const { id, db, out } = await expiredDownload('b.bin');
    const other = scope.origin.serve('/new/b.bin', randomBytes(3 * MIB), { etag: '"another"' });
    const refused = await braid(['refresh', String(id), scope.origin.url('/new/b.bin'), '--db', db]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /different file.*--start-over.*\[CANNOT_RESUME\]/);
    const json = await braid(['refresh', String(id), scope.origin.url('/new/b.bin'), '--json', '--db', db]);
    assert.equal(json.code, 1);
    const line = JSON.parse(json.stdout) as { id: number; refreshed: null; error: { code: string } };
    assert.deepEqual([line.id, line.refreshed, line.error.code], [id, null, 'CANNOT_RESUME'], 'a refusal has its JSON line too');
    scope.origin.file('/new/broken.bin', MIB, { status: 500 });
    const broken = await braid(['refresh', String(id), scope.origin.url('/new/broken.bin'), '--db', db]);
    assert.equal(broken.code, 2, broken.stderr);
    assert.match(broken.stderr, /the new link could not be checked: the server answered 500 Internal Server Error.*; nothing was changed \[HTTP_ERROR\]/);
    const list = await braid(['list', '--json', '--db', db]);
    assert.equal(JSON.parse(list.stdout).items[0].url, scope.origin.url('/old/b.bin'), 'nothing changed');
    const run = await braid(['refresh', String(id), scope.origin.url('/new/b.bin'), '--start-over', '--db', db]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(sha256(await readFile(join(out, 'b.bin'))), sha256(other));
  });
});
