// What the scripts that move better-sqlite3's builds between Node and Electron share.
import { spawnSync } from 'node:child_process';
import { packageRoot } from '../electron/store/sqlite-addon';

/** better-sqlite3's package folder; the scripts run where it is installed. */
export function installedPackage(): string {
  const root = packageRoot();
  if (!root) throw new Error('better-sqlite3 is not installed: run `npm install`');
  return root;
}

/** Opens a database with the package's own build, in a Node of its own: it fails there when the build is Electron's. */
export function loadsInNode() {
  return spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { encoding: 'utf8' });
}
