import type { BraidApi } from '../../shared/api';
import { LIST_LIMIT, MAX_BATCH } from '../../shared/limits';
import type { AddRequest, DownloadSnapshot, DownloadStatus, ListQuery } from '../../shared/types';

/** Every download a query finds, page by page, up to what one command may act on. */
export async function everyDownload(api: BraidApi, query: Omit<ListQuery, 'offset' | 'limit'>): Promise<DownloadSnapshot[]> {
  const found: DownloadSnapshot[] = [];
  while (found.length < MAX_BATCH) {
    const page = await api.list({ ...query, offset: found.length, limit: Math.min(LIST_LIMIT.max, MAX_BATCH - found.length) });
    found.push(...page.items);
    if (found.length >= page.total || page.items.length === 0) break;
  }
  return found;
}

/** The ids of every download in these statuses, up to what one command may act on. */
export async function idsWithStatus(api: BraidApi, status: DownloadStatus[]): Promise<number[]> {
  return (await everyDownload(api, { status })).map((d) => d.id);
}

/** At most this many removals are kept to undo: each is re-added from its record. */
const UNDO_LIMIT = 100;

/**
 * How to add these downloads back as they were, when that is safe: none has anything on disk yet (a removal of
 * those deletes nothing), so adding them again loses nothing. Null when undo would not give back what was removed.
 */
export async function undoableRemoval(api: BraidApi, ids: number[]): Promise<AddRequest[] | null> {
  if (ids.length === 0 || ids.length > UNDO_LIMIT) return null;
  const requests: AddRequest[] = [];
  for (const id of ids) {
    const d = await api.detail(id);
    if (!d) continue;
    const r = d.record;
    if (r.status === 'completed' || r.bytesDone > 0 || r.status === 'active') return null;
    requests.push({
      url: r.url,
      ...(r.mirrors.length > 0 ? { mirrors: r.mirrors } : {}),
      folder: r.folder,
      ...(r.requestedName ? { name: r.requestedName } : {}),
      options: r.options,
      // A failed one comes back stopped, as paused: undoing a removal must not set it running again.
      paused: r.status === 'paused' || r.status === 'failed',
      priority: r.priority,
    });
  }
  return requests;
}
