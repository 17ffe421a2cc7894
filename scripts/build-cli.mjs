// Bundles the `braid` command line (engine + store + shared) into one ESM file.
// Packages stay external: better-sqlite3 is native, and the rest load from node_modules.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';

const outfile = 'out/cli/braid.js';
await build({
  entryPoints: ['electron/cli/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
