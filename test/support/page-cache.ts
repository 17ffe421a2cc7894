import { execFileSync } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { takesDirectWrites } from '../../electron/engine/direct-io';

/** Whether Braid writes files in `dir` directly (a local disk's file system) and `fincore` is here to tell what is cached. */
export function directWritesIn(dir: string): boolean {
  try {
    execFileSync('fincore', ['--version'], { stdio: 'ignore' });
    return takesDirectWrites(statfsSync(dir).type);
  } catch {
    return false;
  }
}

/** Bytes of the file that are in the page cache. */
export function cachedBytes(path: string): number {
  return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim());
}
