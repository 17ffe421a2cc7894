// Bundles the `braid` command line (engine + store + shared) as ESM: `braid.js` and a chunk per command, so a
// command loads only what it needs. Packages stay external: better-sqlite3 is native, the rest load from
// node_modules.
import { build } from 'esbuild';
import { chmod, rm } from 'node:fs/promises';

const outdir = 'out/cli';
const outfile = `${outdir}/braid.js`;
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { braid: 'electron/cli/main.ts' },
  outdir,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  // A young generation of 1 MiB semi-spaces instead of up to 16: the receive path allocates little per read, so
  // scavenges stay rare, and the process holds ~5-13 MiB less at its peak (BENCHMARKS.md). V8 takes the flag only
  // at start, hence the shebang; `env -S` splits it, and npm's Windows shims read it the same way.
  banner: { js: '#!/usr/bin/env -S node --max-semi-space-size=1' },
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
