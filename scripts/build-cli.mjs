// Bundles the `braid` command line (engine + store + shared + the packages they use) as ESM: `braid.js` and a chunk
// per command, so a command loads only what it needs. Resolving and compiling packages file by file from
// node_modules cost a command's start ~10 ms (BENCHMARKS.md), so they are bundled too, better-sqlite3's JavaScript
// included (its compiled addon is named to it at run time: electron/store/sqlite-addon.ts). electron, socks and
// bindings stay in node_modules: socks is CommonJS taken by a dynamic import, whose named exports only Node's own
// loader provides; bindings (better-sqlite3's search for its addon) is never called.
import { build } from 'esbuild';
import { chmod, rm } from 'node:fs/promises';

// commander loads child_process (with net and dgram) when it is loaded, only to run subcommands that are programs
// of their own, which Braid's are not: it gets the module when it first touches it, and every command starts
// ~2-4 ms sooner.
const childProcessOnUse = {
  name: 'child-process-on-use',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'on-use' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'on-use' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
      loader: 'js',
    }));
  },
};

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
  external: ['bindings', 'electron', 'socks'],
  sourcemap: true,
  // No V8 flag in the shebang: any makes V8 refuse Node's code cache (~20 ms of every start). The engine keeps the
  // young generation small at run time instead (electron/engine/young-generation.ts).
  // Bundled CommonJS packages call `require` for Node's own modules, which an ES module lacks.
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as createRequireForPackages } from 'node:module';",
      'const require = createRequireForPackages(import.meta.url);',
    ].join('\n'),
  },
  plugins: [childProcessOnUse],
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
