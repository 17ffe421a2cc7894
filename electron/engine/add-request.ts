import { resolve } from 'node:path';
import { CONNECTIONS, CONNECTIONS_PER_SERVER, FILE_SIZE, inRange, rangeMessage } from '../../shared/limits';
import { proxyProblem } from '../../shared/proxy-url';
import { categoryOf, displayName } from '../../shared/file-category';
import type { AddRequest, AddResult, Settings } from '../../shared/types';
import { BraidError } from './errors';
import type { NewDownload } from './ports';
import { checkUrl } from './url-rules';

/** Where a download of this name goes when the request names no folder: its file type's folder, else the default. */
export function folderFor(name: string, folders: Pick<Settings, 'folder' | 'categoryFolders'>): string {
  return folders.categoryFolders[categoryOf(name)] ?? folders.folder;
}

/** The folder a request's download is saved in: the one it names, else its file type's, else the default. */
export function folderOf(r: { folder?: string | null; name?: string | null }, url: string, folders: Pick<Settings, 'folder' | 'categoryFolders'>): string {
  return resolve(r.folder ?? folderFor(r.name ?? displayName({ name: null, url }), folders));
}

/**
 * One request to add, checked: the row to queue, or the refusal with its reason. Every face adds through this,
 * so a URL, a mirror, a connection count or a proxy is judged the same from a list, the CLI, the window or the
 * browser.
 */
export function toNewDownload(r: AddRequest, folders: Pick<Settings, 'folder' | 'categoryFolders'>): NewDownload | Extract<AddResult, { ok: false }> {
  try {
    const url = checkUrl(r.url);
    const mirrors = (r.mirrors ?? []).map(checkUrl);
    if (r.options?.segments !== undefined && !inRange(r.options.segments, CONNECTIONS)) {
      throw new BraidError('INVALID_OPTION', rangeMessage('connections per download', CONNECTIONS));
    }
    if (r.options?.maxPerServer !== undefined && !inRange(r.options.maxPerServer, CONNECTIONS_PER_SERVER)) {
      throw new BraidError('INVALID_OPTION', rangeMessage('connections per server', CONNECTIONS_PER_SERVER));
    }
    if (r.expectedSize !== undefined && !inRange(r.expectedSize, FILE_SIZE)) {
      throw new BraidError('INVALID_OPTION', rangeMessage('the expected size (bytes)', FILE_SIZE));
    }
    const proxy = r.options?.proxy;
    if (proxy !== undefined && (typeof proxy !== 'string' || proxyProblem(proxy))) {
      throw new BraidError('INVALID_OPTION', typeof proxy === 'string' ? proxyProblem(proxy)! : 'the proxy must be a URL');
    }
    return {
      url,
      mirrors,
      folder: folderOf(r, url, folders),
      requestedName: r.name ?? null,
      options: r.options ?? {},
      status: r.paused ? 'paused' : 'queued',
      stopReason: r.paused ? 'user' : null,
      priority: r.priority ?? 0,
      size: r.expectedSize ?? null,
    };
  } catch (error) {
    const e = error instanceof BraidError ? error : new BraidError('INVALID_URL', String(error));
    return { ok: false as const, url: r.url, error: e.toJSON() };
  }
}
