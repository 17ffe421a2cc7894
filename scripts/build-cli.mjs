// Bundles the `braid` command line (engine + store + shared + the packages they use) as ESM: `braid.js` and a chunk
// per command, so a command loads only what it needs. Resolving and compiling packages file by file from
// node_modules cost a command's start ~10 ms (BENCHMARKS.md), so they are bundled too. better-sqlite3 (a native
// addon), electron, and socks stay in node_modules: socks is CommonJS taken by a dynamic import, whose named exports
// only Node's own loader provides.
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
  external: ['better-sqlite3', 'electron', 'socks'],
  sourcemap: true,
  // A young generation of 1 MiB semi-spaces instead of up to 16: the receive path allocates little per read, so
  // scavenges stay rare, and the process holds ~5-13 MiB less at its peak (BENCHMARKS.md). V8 takes the flag only
  // at start, hence the shebang; `env -S` splits it, and npm's Windows shims read it the same way.
  // Bundled CommonJS packages call `require` for Node's own modules, which an ES module lacks.
  banner: {
    js: [
      '#!/usr/bin/env -S node --max-semi-space-size=1',
      "import { createRequire as createRequireForPackages } from 'node:module';",
      'const require = createRequireForPackages(import.meta.url);',
    ].join('\n'),
  },
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
