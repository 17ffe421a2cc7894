import { folderProblem } from './folder-problem';
import { parseByteSize } from './byte-size';
import { parseChecksum } from './checksum';
import { CONNECTIONS, CONNECTIONS_PER_SERVER } from './limits';
import { joinProxy } from './proxy-form';
import type { DownloadOptions } from './types';

/** The Add dialog's option fields as typed. */
export interface AddOptionsText {
  folder: string;
  connections: string;
  speedLimit: string;
  checksum: string;
  /** Connections to the server at most, for these downloads; empty means the setting. */
  perServer: string;
  /** The proxy for these downloads; empty means the settings' proxy, `direct` none at all. */
  proxy: string;
}

/** What the proxy field takes for "no proxy, not even the settings' one". */
export const DIRECT = 'direct';

export const NO_OPTIONS: AddOptionsText = { folder: '', connections: '', speedLimit: '', checksum: '', perServer: '', proxy: '' };

/** The URLs of the Add box: one a line, blank and `#` lines skipped, each once; `repeated` counts the lines left out. */
export function urlLines(text: string): { urls: string[]; repeated: number } {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const urls = [...new Set(lines)];
  return { urls, repeated: lines.length - urls.length };
}

/** Lines in a text as an editor counts them: a newline ends a line, and the one at the very end starts none. */
export function lineCount(text: string): number {
  if (text === '') return 0;
  const breaks = text.split('\n').length - 1;
  return text.endsWith('\n') ? breaks : breaks + 1;
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
  const perServer = v.perServer.trim();
  if (perServer !== '') {
    const n = Number(perServer);
    if (!Number.isInteger(n) || n < CONNECTIONS_PER_SERVER.min || n > CONNECTIONS_PER_SERVER.max) {
      errors.perServer = `Use a whole number from ${CONNECTIONS_PER_SERVER.min} to ${CONNECTIONS_PER_SERVER.max}.`;
    } else options.maxPerServer = n;
  }
  const proxy = v.proxy.trim();
  if (proxy.toLowerCase() === DIRECT) options.proxy = '';
  else if (proxy !== '') {
    const joined = joinProxy(proxy, '');
    if ('error' in joined) errors.proxy = joined.error;
    else options.proxy = joined.proxy;
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
      const why = (error as Error).message;
      // The parser's words begin a sentence here.
      errors.checksum = `${why.charAt(0).toUpperCase()}${why.slice(1)}. Write it as algorithm=digest, e.g. sha-256=9f86….`;
    }
  }
  const folder = v.folder.trim();
  const folderBad = folder === '' ? null : folderProblem(folder);
  if (folderBad) errors.folder = folderBad;
  return { ...(folder ? { folder } : {}), options, errors };
}
