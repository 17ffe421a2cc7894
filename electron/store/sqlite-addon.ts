import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Where better-sqlite3 is installed: its package folder, or undefined when it is not installed. */
export function packageRoot(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
  } catch {
    return undefined;
  }
}

/**
 * Where a copy of better-sqlite3's addon built for this Node is kept, apart from the package's own build: `npm start`
 * rebuilds the package for Electron's ABI, which Node cannot load, and the `braid` command must go on opening its
 * database after it. The name holds the package's version and Node's ABI, so a new version or a new Node never
 * takes a stale copy.
 */
export function nodeAddonCopyPath(root = packageRoot()): string | undefined {
  if (!root) return undefined;
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const name = `better_sqlite3-${version}-abi${process.versions.modules}-${process.platform}-${process.arch}.node`;
  return join(dirname(root), '.cache', 'braid', name);
}

/**
 * better-sqlite3's compiled addon, found from where the package is installed, for `openDatabase` in the command
 * line: its bundle carries better-sqlite3's JavaScript (taken file by file from node_modules it cost every command
 * ~10 ms with the addon's search), and that code would look for its addon from the bundle's folder, where it is
 * not. The copy built for this Node comes first, since the package's own build may be Electron's. The app loads the
 * package as installed and needs none of this.
 */
export function sqliteAddonPath(root = packageRoot()): string {
  if (!root) throw new Error('better-sqlite3 is not installed: run `npm install`');
  const copy = nodeAddonCopyPath(root);
  if (copy && existsSync(copy)) return copy;
  const built = ['Release', 'Debug'].map((kind) => builtAddon(root, kind));
  const found = built.find((path) => existsSync(path));
  if (!found) throw new Error(`better-sqlite3 is not built (no ${built[0]}): run \`npm rebuild better-sqlite3\``);
  return found;
}

/** The package's own build of its addon (`Release`, or `Debug` for a debug build). */
export function builtAddon(root: string, kind = 'Release'): string {
  return join(root, 'build', kind, 'better_sqlite3.node');
}

/**
 * Copies an addon into place whole: written beside its target, then renamed over it, since a running app or
 * command may have the old file mapped and must never see it half written.
 */
export function placeAddon(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const partial = `${to}.${process.pid}.partial`;
  copyFileSync(from, partial);
  renameSync(partial, to);
}
