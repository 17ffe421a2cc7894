// Builds Braid's browser extension into out/extension/: one unpacked folder, manifest.json at its root, loaded as
// it is by Chromium-family browsers and Firefox. Its version is the package's.
import { build } from 'esbuild';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';

const source = 'extension';
const outdir = 'out/extension';
const { version } = JSON.parse(await readFile('package.json', 'utf8'));

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: {
    background: `${source}/src/background.ts`,
    content: `${source}/src/content.ts`,
    popup: `${source}/src/popup.ts`,
  },
  outdir,
  bundle: true,
  // A classic script each: Firefox's background scripts and content scripts are not modules.
  format: 'iife',
  target: ['chrome120', 'firefox128'],
  platform: 'browser',
  logLevel: 'warning',
});
const manifest = JSON.parse(await readFile(`${source}/manifest.json`, 'utf8'));
manifest.version = version;
await writeFile(`${outdir}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
await cp(`${source}/src/popup.html`, `${outdir}/popup.html`);
await cp(`${source}/src/popup.css`, `${outdir}/popup.css`);
await cp(`${source}/icons`, `${outdir}/icons`, { recursive: true });
