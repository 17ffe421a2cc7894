import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

const DIRECT = (constants as { O_DIRECT?: number }).O_DIRECT;

/** Whether files in `dir` take direct writes (tmpfs's do not) and `fincore` is here to tell what is cached. */
export function directWritesIn(dir: string): boolean {
  if (DIRECT === undefined) return false;
  const probe = join(dir, '.direct-probe');
  try {
    closeSync(openSync(probe, constants.O_CREAT | constants.O_WRONLY | DIRECT));
    execFileSync('fincore', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    try {
      unlinkSync(probe);
    } catch {
      /* never made */
    }
  }
}

/** Bytes of the file that are in the page cache. */
export function cachedBytes(path: string): number {
  return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim());
}
