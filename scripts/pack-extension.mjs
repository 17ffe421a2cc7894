// Packs the built extension (out/extension/) into the zip the browsers' add-on stores take, in release/.
import { zipSync } from 'fflate';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

const root = 'out/extension';
const { version } = JSON.parse(await readFile('package.json', 'utf8'));

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

const entries = {};
for await (const path of files(root)) entries[relative(root, path).split('\\').join('/')] = await readFile(path);
if (!entries['manifest.json']) throw new Error(`${root} has no manifest.json: run npm run build first`);
await mkdir('release', { recursive: true });
const out = `release/braid-extension-${version}.zip`;
await writeFile(out, zipSync(entries, { level: 9, mtime: new Date('2020-01-01T00:00:00Z') }));
console.log(`packed ${out}`);
