import assert from 'node:assert/strict';
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nodeAddonCopyPath, placeAddon } from '../../electron/store/sqlite-addon';
import { BRAID, braid, run } from '../support/cli';
import { tempDir } from '../support/harness';

const PROJECT = join(import.meta.dirname, '../..');
const PACKAGE = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
const NODE_ADDON = join(PACKAGE, 'build', 'Release', 'better_sqlite3.node');

/**
 * `npm start` rebuilds better-sqlite3 for Electron, whose addon Node cannot load. An install laid out as the
 * project's (the built command, better-sqlite3's package) whose package build is such an addon, with or without
 * the copy built for Node that `npm start` keeps aside.
 */
describe('the command line after the app has rebuilt SQLite for Electron', () => {
  let dir = '';
  let install = '';
  let db = '';
  const braidThere = (args: string[]) => run(process.execPath, [join(install, 'out', 'cli', 'braid.js'), ...args]);

  before(async () => {
    dir = await tempDir('braid-sqlite-addon-');
    install = join(dir, 'install');
    await cp(dirname(BRAID), join(install, 'out', 'cli'), { recursive: true });
    await writeFile(join(install, 'package.json'), JSON.stringify({ type: 'module' }));
    const pkg = join(install, 'node_modules', 'better-sqlite3');
    await mkdir(join(pkg, 'build', 'Release'), { recursive: true });
    await cp(join(PACKAGE, 'package.json'), join(pkg, 'package.json'));
    // Not an addon Node can load, as one built for Electron's ABI is not.
    await writeFile(join(pkg, 'build', 'Release', 'better_sqlite3.node'), 'built for another runtime');
    db = join(dir, 'queue.db');
    const added = await braid(['add', '--paused', '--db', db, 'http://127.0.0.1:9/kept.iso']);
    assert.equal(added.code, 0, added.stderr);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('without a copy for Node, says the addon is the trouble and leaves the database as it was', async () => {
    const before = await readFile(db);
    const listed = await braidThere(['list', '--db', db]);
    assert.notEqual(listed.code, 0);
    assert.match(listed.stderr, /does not load in this Node/);
    assert.match(listed.stderr, /npm rebuild better-sqlite3/);
    // Moving a sound file aside would lose the queue for nothing.
    assert.doesNotMatch(listed.stderr, /move the file aside/);
    assert.deepEqual(await readFile(db), before);
  });

  it('with the copy built for Node, opens the database as before', async () => {
    const copy = nodeAddonCopyPath(join(install, 'node_modules', 'better-sqlite3'))!;
    assert.ok(copy.startsWith(join(install, 'node_modules')), copy);
    placeAddon(NODE_ADDON, copy);
    const listed = await braidThere(['list', '--db', db]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /kept\.iso/);
  });

  it('`npm start` keeps that copy before it rebuilds for Electron', async () => {
    const copy = nodeAddonCopyPath(PACKAGE)!;
    await rm(copy, { force: true });
    const kept = await run(process.execPath, ['--import', 'tsx', join(PROJECT, 'scripts', 'keep-node-sqlite.ts')]);
    assert.equal(kept.code, 0, kept.stderr);
    assert.deepEqual(await readFile(copy), await readFile(NODE_ADDON));
    assert.ok((await stat(copy)).isFile());
  });
});
