// Preloaded with `--import`: records every module the process resolves into the file named by BRAID_LOADED,
// one URL a line, so a test can tell what a command loaded.
import { register } from 'node:module';

register('./loaded-hooks.mjs', { parentURL: import.meta.url, data: { file: process.env.BRAID_LOADED } });
