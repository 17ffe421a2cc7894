// `npm start` rebuilds better-sqlite3 for Electron's ABI; the tests run under Node. When the installed binary does
// not load here, the copy built for Node that `npm start` kept is put back, else the package is rebuilt for Node
// (a no-op when it loads).
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { nodeAddonCopyPath, placeAddon } from '../electron/store/sqlite-addon';

function loadsHere() {
  return spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { encoding: 'utf8' });
}

const probe = loadsHere();
if (probe.status !== 0) {
  if (!/NODE_MODULE_VERSION|was compiled against a different|ERR_DLOPEN_FAILED/.test(probe.stderr)) {
    process.stderr.write(probe.stderr);
    process.exit(1);
  }
  const root = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
  const copy = nodeAddonCopyPath(root)!;
  if (existsSync(copy)) {
    console.log('better-sqlite3 does not load in this Node (built for Electron?); putting back its copy built for Node…');
    placeAddon(copy, join(root, 'build', 'Release', 'better_sqlite3.node'));
  }
  if (!existsSync(copy) || loadsHere().status !== 0) {
    console.log('better-sqlite3 does not load in this Node (built for Electron?); rebuilding it for Node…');
    execSync('npm rebuild better-sqlite3', { stdio: 'inherit' });
  }
}
