// Preloaded with `--import`: records every module the process resolves, every native addon it opens and, at exit,
// every Node module it loaded, into the file named by BRAID_LOADED, one URL a line, so a test can tell what a
// command loaded. Addons and the Node modules bundled packages take are loaded by `require`, which the module
// hooks do not see.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.BRAID_LOADED;
register('./loaded-hooks.mjs', { parentURL: import.meta.url, data: { file } });

process.on('exit', () => {
  if (!file) return;
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ') && !m.includes(' internal/')).map((m) => `node:${m.slice('NativeModule '.length)}`);
  appendFileSync(file, builtins.map((b) => `${b}\n`).join(''));
});

const dlopen = process.dlopen;
process.dlopen = function recordAddon(module, filename, ...rest) {
  if (file) appendFileSync(file, `${pathToFileURL(filename).href}\n`);
  return dlopen.call(this, module, filename, ...rest);
};
