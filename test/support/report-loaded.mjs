// Preloaded with `--import`: records every module the process resolves, and every native addon it opens, into the
// file named by BRAID_LOADED, one URL a line, so a test can tell what a command loaded. Addons are taken by
// `require`, which the module hooks do not see.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.BRAID_LOADED;
register('./loaded-hooks.mjs', { parentURL: import.meta.url, data: { file } });

const dlopen = process.dlopen;
process.dlopen = function recordAddon(module, filename, ...rest) {
  if (file) appendFileSync(file, `${pathToFileURL(filename).href}\n`);
  return dlopen.call(this, module, filename, ...rest);
};
