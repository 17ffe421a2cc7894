// `npm start` rebuilds better-sqlite3 for Electron's ABI, which Node cannot load. Before it does, the addon built
// for Node is copied aside (electron/store/sqlite-addon.ts names the copy), so the `braid` command and the tests
// still open their databases after the app has been started.
import { existsSync, readFileSync } from 'node:fs';
import { builtAddon, nodeAddonCopyPath, placeAddon } from '../electron/store/sqlite-addon';
import { installedPackage, loadsInNode } from './sqlite-build';

const root = installedPackage();
const built = builtAddon(root);
const copy = nodeAddonCopyPath(root)!;
if (loadsInNode().status === 0 && existsSync(built)) {
  // A copy in use (by `braid serve`, say) cannot be replaced on Windows: one the same as the build is left as it is,
  // and a failure to replace it is said, not fatal to the start.
  const same = existsSync(copy) && readFileSync(copy).equals(readFileSync(built));
  try {
    if (!same) placeAddon(built, copy);
  } catch (error) {
    console.warn(`cannot keep better-sqlite3's build for Node aside (${(error as Error).message}); the \`braid\` command uses the one kept before`);
  }
} else if (!existsSync(copy)) {
  console.warn(
    'better-sqlite3 is not built for this Node, so after the app starts the `braid` command cannot open its database ' +
      'until `npm rebuild better-sqlite3`',
  );
}
