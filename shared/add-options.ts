import { parseByteSize } from './byte-size';
import { parseChecksum } from './checksum';
import { CONNECTIONS } from './limits';
import type { DownloadOptions } from './types';

/** The Add dialog's option fields as typed. */
export interface AddOptionsText {
  folder: string;
  connections: string;
  speedLimit: string;
  checksum: string;
}

export const NO_OPTIONS: AddOptionsText = { folder: '', connections: '', speedLimit: '', checksum: '' };

/** The URLs of the Add box: one a line, blank and `#` lines skipped, each once. */
export function urlLines(text: string): string[] {
  return [...new Set(text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')))];
}

/** The Add dialog's fields as download options, or an error in plain words for each field that is wrong. */
export function parseAddOptions(v: AddOptionsText): { folder?: string; options: DownloadOptions; errors: Partial<Record<keyof AddOptionsText, string>> } {
  const errors: Partial<Record<keyof AddOptionsText, string>> = {};
  const options: DownloadOptions = {};
  const connections = v.connections.trim();
  if (connections !== '') {
    const n = Number(connections);
    if (!Number.isInteger(n) || n < CONNECTIONS.min || n > CONNECTIONS.max) errors.connections = `Use a whole number from ${CONNECTIONS.min} to ${CONNECTIONS.max}.`;
    else options.segments = n;
  }
  const limit = v.speedLimit.trim();
  if (limit !== '') {
    const rate = parseByteSize(limit);
    if (rate === null) errors.speedLimit = 'Use a rate such as 500K or 2M (per second).';
    else if (rate > 0) options.speedLimit = rate;
  }
  const checksum = v.checksum.trim();
  if (checksum !== '') {
    try {
      options.checksum = parseChecksum(checksum);
    } catch (error) {
      errors.checksum = `${(error as Error).message}. Write it as algorithm=digest, e.g. sha-256=9f86….`;
    }
  }
  const folder = v.folder.trim();
  return { ...(folder ? { folder } : {}), options, errors };
}
