import type { BraidApi } from '../../shared/api';
import type { AddRequest, ChecksumAlgorithm, DownloadStatus, ListQuery, Settings, SortKey } from '../../shared/types';
import { API_METHODS, type ApiMethod } from '../../shared/wire';
import { BraidError } from './errors';

/**
 * Checks every payload that arrives from a renderer or a browser before it reaches the engine: shape, types and
 * ranges. Plain functions, so the Electron main process, `braid serve` and tests share them.
 */

const MAX_BATCH = 10_000;
/** A list sent whole from a browser; larger lists go through `braid add -i`, which streams. */
const MAX_LIST_TEXT = 3 * 1024 * 1024;
const STATUSES: DownloadStatus[] = ['queued', 'active', 'paused', 'completed', 'failed'];
const SORT_KEYS: SortKey[] = ['position', 'name', 'size', 'status', 'added'];
const ALGORITHMS: ChecksumAlgorithm[] = ['md5', 'sha-1', 'sha-256', 'sha-512'];

function bad(message: string): never {
  throw new BraidError('INVALID_OPTION', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(v: Record<string, unknown>, allowed: string[], what: string): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) bad(`${what}: unknown field ${JSON.stringify(k)}`);
}

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`${what} must be a whole number from ${min} to ${max}`);
  return v;
}

function str(v: unknown, what: string, max = 8192): string {
  if (typeof v !== 'string' || v.length > max) bad(`${what} must be a string of at most ${max} characters`);
  return v;
}

function ids(v: unknown): number[] {
  if (!Array.isArray(v) || v.length > MAX_BATCH) bad(`ids must be a list of at most ${MAX_BATCH}`);
  return v.map((id, i) => int(id, `ids[${i}]`, 1, Number.MAX_SAFE_INTEGER));
}

function addRequest(v: unknown, i: number): AddRequest {
  const what = `requests[${i}]`;
  if (!isObject(v)) bad(`${what} must be an object`);
  onlyKeys(v, ['url', 'mirrors', 'folder', 'name', 'options', 'paused', 'priority'], what);
  const out: AddRequest = { url: str(v['url'], `${what}.url`) };
  if (v['mirrors'] !== undefined) {
    if (!Array.isArray(v['mirrors']) || v['mirrors'].length > 16) bad(`${what}.mirrors must be a list of at most 16`);
    out.mirrors = v['mirrors'].map((m, j) => str(m, `${what}.mirrors[${j}]`));
  }
  if (v['folder'] !== undefined) out.folder = str(v['folder'], `${what}.folder`, 4096);
  if (v['name'] !== undefined) out.name = str(v['name'], `${what}.name`, 1024);
  if (v['paused'] !== undefined) {
    if (typeof v['paused'] !== 'boolean') bad(`${what}.paused must be true or false`);
    out.paused = v['paused'];
  }
  if (v['priority'] !== undefined) out.priority = int(v['priority'], `${what}.priority`, -1000, 1000);
  if (v['options'] !== undefined) {
    const o = v['options'];
    if (!isObject(o)) bad(`${what}.options must be an object`);
    onlyKeys(o, ['segments', 'speedLimit', 'checksum', 'headers'], `${what}.options`);
    out.options = {};
    if (o['segments'] !== undefined) out.options.segments = int(o['segments'], `${what}.options.segments`, 1, 32);
    if (o['speedLimit'] !== undefined) out.options.speedLimit = int(o['speedLimit'], `${what}.options.speedLimit`, 0, Number.MAX_SAFE_INTEGER);
    if (o['checksum'] !== undefined) {
      const c = o['checksum'];
      if (!isObject(c) || !ALGORITHMS.includes(c['algorithm'] as ChecksumAlgorithm) || typeof c['hex'] !== 'string' || !/^[0-9a-f]{32,128}$/i.test(c['hex'])) {
        bad(`${what}.options.checksum must be { algorithm: md5|sha-1|sha-256|sha-512, hex }`);
      }
      out.options.checksum = { algorithm: c['algorithm'] as ChecksumAlgorithm, hex: (c['hex'] as string).toLowerCase() };
    }
    if (o['headers'] !== undefined) {
      const h = o['headers'];
      if (!isObject(h) || Object.keys(h).length > 32) bad(`${what}.options.headers must be an object of at most 32 headers`);
      out.options.headers = Object.fromEntries(Object.entries(h).map(([k, val]) => [str(k, 'header name', 256), str(val, `header ${k}`, 8192)]));
    }
  }
  return out;
}

function listQuery(v: unknown): ListQuery {
  if (v === undefined) return {};
  if (!isObject(v)) bad('query must be an object');
  onlyKeys(v, ['status', 'offset', 'limit', 'sort', 'descending'], 'query');
  const q: ListQuery = {};
  if (v['sort'] !== undefined) {
    if (!SORT_KEYS.includes(v['sort'] as SortKey)) bad(`sort must be one of ${SORT_KEYS.join(', ')}`);
    q.sort = v['sort'] as SortKey;
  }
  if (v['descending'] !== undefined) {
    if (typeof v['descending'] !== 'boolean') bad('descending must be true or false');
    q.descending = v['descending'];
  }
  if (v['status'] !== undefined) {
    if (!Array.isArray(v['status']) || !v['status'].every((s) => STATUSES.includes(s as DownloadStatus))) bad(`status must be a list of ${STATUSES.join(', ')}`);
    q.status = v['status'] as DownloadStatus[];
  }
  if (v['offset'] !== undefined) q.offset = int(v['offset'], 'offset', 0, Number.MAX_SAFE_INTEGER);
  q.limit = v['limit'] === undefined ? 500 : int(v['limit'], 'limit', 1, 5000);
  return q;
}

/** Validates `args` for `method` and calls it; throws BraidError INVALID_OPTION for anything malformed. */
export async function dispatch(api: BraidApi, method: unknown, args: unknown): Promise<unknown> {
  if (typeof method !== 'string' || !API_METHODS.includes(method as ApiMethod)) bad(`unknown method ${JSON.stringify(method)}`);
  if (!Array.isArray(args) || args.length > 2) bad('args must be a list');
  switch (method as ApiMethod) {
    case 'add': {
      const list = args[0];
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BATCH) bad(`requests must be a list of 1 to ${MAX_BATCH}`);
      return api.add(list.map(addRequest));
    }
    case 'importList': {
      const text = str(args[0], 'list', MAX_LIST_TEXT);
      const o = args[1] ?? {};
      if (!isObject(o)) bad('import options must be an object');
      onlyKeys(o, ['folder', 'paused'], 'import options');
      if (o['paused'] !== undefined && typeof o['paused'] !== 'boolean') bad('paused must be true or false');
      return api.importList(text, {
        ...(o['folder'] !== undefined ? { folder: str(o['folder'], 'folder', 4096) } : {}),
        ...(o['paused'] !== undefined ? { paused: o['paused'] as boolean } : {}),
      });
    }
    case 'pause':
      return api.pause(ids(args[0]));
    case 'resume':
      return api.resume(ids(args[0]));
    case 'retry':
      return api.retry(ids(args[0]));
    case 'remove': {
      const o = args[1];
      if (!isObject(o) || typeof o['deleteFile'] !== 'boolean') bad('remove needs { deleteFile: true|false }');
      return api.remove(ids(args[0]), { deleteFile: o['deleteFile'] });
    }
    case 'move': {
      const direction = args[1];
      if (direction !== 'up' && direction !== 'down' && direction !== 'top' && direction !== 'bottom') bad('direction must be up, down, top or bottom');
      return api.move(int(args[0], 'id', 1, Number.MAX_SAFE_INTEGER), direction);
    }
    case 'list':
      return api.list(listQuery(args[0]));
    case 'detail':
      return api.detail(int(args[0], 'id', 1, Number.MAX_SAFE_INTEGER));
    case 'open': {
      const what = args[1];
      if (what !== 'file' && what !== 'folder') bad('open needs "file" or "folder"');
      return api.open(int(args[0], 'id', 1, Number.MAX_SAFE_INTEGER), what);
    }
    case 'getSettings':
      return api.getSettings();
    case 'setSettings':
      if (!isObject(args[0])) bad('settings must be an object');
      return api.setSettings(args[0] as Partial<Settings>);
  }
}
