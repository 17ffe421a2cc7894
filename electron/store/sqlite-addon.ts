import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * better-sqlite3's compiled addon, found from where the package is installed, for `openDatabase` in the command
 * line: its bundle carries better-sqlite3's JavaScript (taken file by file from node_modules it cost every command
 * ~10 ms with the addon's search), and that code would look for its addon from the bundle's folder, where it is
 * not. The app loads the package as installed and needs none of this.
 */
export function sqliteAddonPath(): string {
  const root = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
  const built = ['Release', 'Debug'].map((kind) => join(root, 'build', kind, 'better_sqlite3.node'));
  const found = built.find((path) => existsSync(path));
  if (!found) throw new Error(`better-sqlite3 is not built (no ${built[0]}): run \`npm rebuild better-sqlite3\``);
  return found;
}
