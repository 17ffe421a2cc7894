import type { AddRequest, DownloadOptions, ErrorCode } from '../../shared/types';
import type { checkAddRequest as CheckAddRequest } from '../../shared/api-schema';
import { parseByteSize } from '../../shared/byte-size';
import { CONNECTIONS, CONNECTIONS_PER_SERVER, HEADER_NAME, inRange, MAX_FOLDER, MAX_NAME, MAX_URL, rangeMessage } from '../../shared/limits';
import { proxyProblem } from '../../shared/proxy-url';
import { parseChecksum } from './checksum';
import { BraidError } from './errors';
import { LINE_TOO_LONG, MAX_LINE_BYTES, type Line } from './line-reader';
import { checkUrl, preview } from './url-rules';

/**
 * One result of reading a list: a download to add, or a line that could not be used and why. `lost`: the line
 * may have been a download, which is not added; an option line's problem leaves its download as it is.
 */
export type ListItem =
  | { kind: 'entry'; line: number; request: AddRequest }
  /** `lost`: the line's download is not added; `code` says why, as a failed download's error would. */
  | { kind: 'problem'; line: number; message: string; lost: boolean; code: ErrorCode };

interface Pending {
  line: number;
  request: AddRequest;
  options: DownloadOptions;
  headers: Record<string, string>;
  /** An option the download must not go without (a checksum, a proxy) could not be used: it is not added. */
  refused?: { line: number; message: string };
}

/**
 * Why the entry is not added: it asked for a check or a route that could not be read, and downloading it
 * unverified, or straight past the proxy, is not what was asked.
 */
class EntryRefused extends Error {}

/** Applies one aria2 option line to the entry above it; returns a complaint or null. */
function applyOption(p: Pending, key: string, value: string): string | null {
  switch (key) {
    case 'dir':
      p.request.folder = value;
      return null;
    case 'out':
      // As `-o`: a name, never a path. Cutting "../x" down to "x" without a word would hide the mistake.
      if (/[/\\]/.test(value)) return `out=${JSON.stringify(preview(value))} ignored: give a file name without a folder, and the folder with dir=`;
      p.request.name = value;
      return null;
    case 'checksum':
      try {
        p.options.checksum = parseChecksum(value);
      } catch (error) {
        throw new EntryRefused(`${(error as Error).message}: the download is not added, rather than fetched unverified`);
      }
      return null;
    case 'header': {
      const colon = value.indexOf(':');
      if (colon <= 0) return `header must be "Name: value", got ${JSON.stringify(preview(value))}`;
      const name = value.slice(0, colon).trim();
      if (!HEADER_NAME.test(name)) return `invalid header name ${JSON.stringify(preview(name))}`;
      p.headers[name] = value.slice(colon + 1).trim();
      return null;
    }
    case 'split': {
      const n = Number(value);
      if (!inRange(n, CONNECTIONS)) return rangeMessage(key, CONNECTIONS);
      p.options.segments = n;
      return null;
    }
    case 'max-connection-per-server': {
      const n = Number(value);
      if (!inRange(n, CONNECTIONS_PER_SERVER)) return rangeMessage(key, CONNECTIONS_PER_SERVER);
      p.options.maxPerServer = n;
      return null;
    }
    case 'all-proxy': {
      const problem = proxyProblem(value);
      if (problem) throw new EntryRefused(`${problem}: the download is not added, rather than sent without the proxy`);
      p.options.proxy = value;
      return null;
    }
    case 'max-download-limit': {
      const rate = parseByteSize(value);
      if (rate === null) return `max-download-limit must be a rate such as 500K or 2M`;
      p.options.speedLimit = rate;
      return null;
    }
    default:
      return `unknown option ${JSON.stringify(preview(key))} ignored`;
  }
}

/**
 * The API's own check of an entry. Loaded with the first entry, not with the engine: the schema library is a
 * good part of a small process's memory, and a download of plain URLs has no list to check.
 */
let loadedCheck: typeof CheckAddRequest | null = null;
async function entryCheck(): Promise<typeof CheckAddRequest> {
  loadedCheck ??= (await import('../../shared/api-schema')).checkAddRequest;
  return loadedCheck;
}

function withinPlainLimits(request: AddRequest): boolean {
  const { url, name, folder, ...rest } = request;
  return Object.keys(rest).length === 0 && url.length <= MAX_URL && (name?.length ?? 0) <= MAX_NAME && (folder?.length ?? 0) <= MAX_FOLDER;
}

/** The entry, checked by the same rules as the API's `add` (header count, mirrors, lengths), or why not. */
async function finish(p: Pending): Promise<ListItem> {
  if (p.refused) return { kind: 'problem', line: p.refused.line, message: p.refused.message, lost: true, code: 'INVALID_OPTION' };
  if (Object.keys(p.headers).length > 0) p.options.headers = p.headers;
  if (Object.keys(p.options).length > 0) p.request.options = p.options;
  // A bare URL (what most lists and every command-line argument are), or one with only a name and folder (what
  // `out=` and `dir=` give), has no rule but lengths, and `checkUrl` has parsed the URL already: the schema
  // library is loaded only for entries with more to check, or with a length it is to explain.
  if (withinPlainLimits(p.request)) return { kind: 'entry', line: p.line, request: p.request };
  const checked = (await entryCheck())(p.request);
  return checked.ok ? { kind: 'entry', line: p.line, request: checked.request } : { kind: 'problem', line: p.line, message: checked.message, lost: true, code: 'INVALID_OPTION' };
}

function codeOf(error: unknown, otherwise: ErrorCode): ErrorCode {
  return error instanceof BraidError ? error.code : otherwise;
}

/**
 * Reads a URL list line by line: plain (one URL a line, blank and `#` lines skipped) or aria2's input file
 * (TAB-separated mirrors on the URI line, indented `key=value` option lines under it). Yields as it reads,
 * so a list of millions of lines is never held in memory.
 */
export async function* parseUrlList(lines: AsyncIterable<Line>): AsyncGenerator<ListItem> {
  let pending: Pending | null = null;
  let skipping = false; // option lines under a rejected URI belong to it and are skipped with it
  let n = 0;
  for await (const raw of lines) {
    n++;
    if (raw === LINE_TOO_LONG || raw.length > MAX_LINE_BYTES) {
      yield { kind: 'problem', line: n, message: `line longer than ${MAX_LINE_BYTES / 1024} KiB`, lost: true, code: 'INVALID_URL' };
      continue;
    }
    const line = n === 1 ? raw.replace(/^\ufeff/, '') : raw;
    const unreadable = line.includes('\u0000') ? 'line contains a NUL byte' : line.includes('\ufffd') ? 'line is not valid UTF-8' : null;
    if (unreadable) {
      // An option line that cannot be read may be the entry's checksum or proxy: the entry goes with it.
      if (/^[ \t]/.test(line) && pending && !skipping) pending.refused ??= { line: n, message: `${unreadable}: the download is not added without its option` };
      else yield { kind: 'problem', line: n, message: unreadable, lost: true, code: 'INVALID_URL' };
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (/^[ \t]/.test(line)) {
      if (skipping) continue;
      if (!pending) {
        yield { kind: 'problem', line: n, message: 'option line with no URL above it', lost: false, code: 'INVALID_OPTION' };
        continue;
      }
      const eq = trimmed.indexOf('=');
      if (eq <= 0) {
        yield { kind: 'problem', line: n, message: `option must be key=value, got ${JSON.stringify(preview(trimmed))}`, lost: false, code: 'INVALID_OPTION' };
        continue;
      }
      try {
        const complaint = applyOption(pending, trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim());
        if (complaint) yield { kind: 'problem', line: n, message: complaint, lost: false, code: 'INVALID_OPTION' };
      } catch (error) {
        if (error instanceof EntryRefused) {
          pending.refused ??= { line: n, message: error.message };
          continue;
        }
        yield { kind: 'problem', line: n, message: error instanceof BraidError ? error.message : String(error), lost: false, code: codeOf(error, 'INVALID_OPTION') };
      }
      continue;
    }
    if (pending) yield await finish(pending);
    pending = null;
    skipping = false;
    const uris = trimmed.split('\t').map((u) => u.trim()).filter((u) => u !== '');
    try {
      const [url, ...mirrors] = uris.map(checkUrl);
      const request: AddRequest = { url: url! };
      if (mirrors.length > 0) request.mirrors = mirrors;
      pending = { line: n, request, options: {}, headers: {} };
    } catch (error) {
      skipping = true;
      yield { kind: 'problem', line: n, message: error instanceof BraidError ? error.message : String(error), lost: true, code: codeOf(error, 'INVALID_URL') };
    }
  }
  if (pending) yield await finish(pending);
}
