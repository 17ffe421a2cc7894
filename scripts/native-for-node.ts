// `npm start` rebuilds better-sqlite3 for Electron's ABI; the tests run under Node. When the installed binary does
// not load here, the copy built for Node that `npm start` kept is put back, else the package is rebuilt for Node
// (a no-op when it loads).
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { builtAddon, nodeAddonCopyPath, placeAddon } from '../electron/store/sqlite-addon';
import { installedPackage, loadsInNode } from './sqlite-build';

const probe = loadsInNode();
if (probe.status !== 0) {
  if (!/NODE_MODULE_VERSION|was compiled against a different|ERR_DLOPEN_FAILED/.test(probe.stderr)) {
    process.stderr.write(probe.stderr);
    process.exit(1);
  }
  const root = installedPackage();
  const copy = nodeAddonCopyPath(root)!;
  if (existsSync(copy)) {
    console.log('better-sqlite3 does not load in this Node (built for Electron?); putting back its copy built for Node…');
    placeAddon(copy, builtAddon(root));
  }
  if (!existsSync(copy) || loadsInNode().status !== 0) {
    console.log('better-sqlite3 does not load in this Node (built for Electron?); rebuilding it for Node…');
    execSync('npm rebuild better-sqlite3', { stdio: 'inherit' });
  }
}
