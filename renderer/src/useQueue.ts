import { useCallback, useEffect, useRef, useState } from 'react';
import type { BraidApi } from '../../shared/api';
import { categoryOf, displayName, searchText, type FileCategory } from '../../shared/file-category';
import type { DownloadSnapshot, GlobalStats, ListQuery, SortKey } from '../../shared/types';

export type View = 'all' | 'active' | 'queued' | 'paused' | 'completed' | 'failed';
/** What the sidebar chose (a status view and, optionally, one file type) and the text searched for ('' for none). */
export interface Filter {
  view: View;
  category: FileCategory | null;
  search: string;
}
export interface Sort {
  key: SortKey;
  descending: boolean;
}

const BLOCK = 100;
/** Blocks kept loaded on either side of the rows in view. */
const KEEP_BLOCKS = 2;

/** What the engine is asked for the rows a filter shows, in any order and page. */
export function listQuery(filter: Filter): Pick<ListQuery, 'status' | 'category' | 'search'> {
  return {
    ...(filter.view === 'all' ? {} : { status: [filter.view] }),
    ...(filter.category ? { category: filter.category } : {}),
    ...(filter.search ? { search: filter.search } : {}),
  };
}

function matches(filter: Filter, d: DownloadSnapshot): boolean {
  return (
    (filter.view === 'all' || d.status === filter.view) &&
    (filter.category === null || categoryOf(displayName(d)) === filter.category) &&
    (filter.search === '' || searchText(d).includes(filter.search.toLowerCase()))
  );
}

/**
 * The queue as the UI sees it: a total, and rows fetched from the engine block by block as they scroll into
 * view, so a queue of millions never sits whole in the renderer. Live snapshots patch the rows they name.
 */
export function useQueue(api: BraidApi, filter: Filter, sort: Sort) {
  const [total, setTotal] = useState(0);
  const [rows, setRows] = useState<Map<number, DownloadSnapshot>>(new Map());
  const [global, setGlobal] = useState<GlobalStats | null>(null);
  const [running, setRunning] = useState<DownloadSnapshot[]>([]);
  const loaded = useRef(new Set<number>());
  const visible = useRef<[number, number]>([0, BLOCK]);
  const generation = useRef(0);

  const loadBlock = useCallback(
    async (block: number, gen: number) => {
      const page = await api.list({ ...listQuery(filter), offset: block * BLOCK, limit: BLOCK, sort: sort.key, descending: sort.descending });
      if (gen !== generation.current) return;
      setTotal(page.total);
      setRows((prev) => {
        const next = new Map(prev);
        page.items.forEach((d, i) => next.set(block * BLOCK + i, d));
        for (let i = page.items.length; i < BLOCK; i++) next.delete(block * BLOCK + i);
        // Blocks far from the rows in view are dropped (and fetched again when scrolled back to): the renderer holds
        // a few hundred rows however far the queue is scrolled, and each update copies no more than that.
        const [start, end] = visible.current;
        const first = Math.floor(start / BLOCK) - KEEP_BLOCKS;
        const last = Math.floor(end / BLOCK) + KEEP_BLOCKS;
        for (const index of next.keys()) {
          const b = Math.floor(index / BLOCK);
          if (b >= first && b <= last) continue;
          next.delete(index);
          loaded.current.delete(b);
        }
        return next;
      });
    },
    [api, filter, sort],
  );

  /** Loads the blocks covering rows [start, end) that are not loaded yet. */
  const ensure = useCallback(
    (start: number, end: number) => {
      visible.current = [start, end];
      for (let b = Math.floor(start / BLOCK); b <= Math.floor(Math.max(start, end - 1) / BLOCK); b++) {
        if (loaded.current.has(b)) continue;
        loaded.current.add(b);
        void loadBlock(b, generation.current);
      }
    },
    [loadBlock],
  );

  /** Drops the cache and reloads what is on screen (after adds, removes, moves, status changes). */
  const refresh = useCallback(() => {
    generation.current++;
    loaded.current.clear();
    const [start, end] = visible.current;
    ensure(start, end);
  }, [ensure]);

  useEffect(() => {
    setRows(new Map());
    refresh();
  }, [filter, sort, refresh]);

  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | null = null;
    const refreshSoon = () => {
      pending ??= setTimeout(() => {
        pending = null;
        refresh();
      }, 300);
    };
    // The running downloads of the last snapshot: one out of the rows loaded asks for the list again when it may
    // have come into the view, not at every snapshot (with a search or a file type, each asking scans the whole
    // queue). A download that is not running is in a snapshot only when it changed, so it is not kept: the map holds
    // what runs, not every download a long session has seen.
    const seen = new Set<number>();
    const off = api.onEvent((event) => {
      if (event.type === 'snapshot') {
        // The last minute comes once a second: the snapshots in between keep the one before.
        setGlobal((prev) => (event.global.recent || !prev?.recent ? event.global : { ...event.global, recent: prev.recent }));
        setRunning(event.downloads.filter((d) => d.status === 'active'));
        // More changed than a snapshot carries (an import, a bulk action): page what is on screen again.
        if (event.listChanged) refreshSoon();
        if (event.downloads.length === 0) return;
        setRows((prev) => {
          const where = new Map<number, number>();
          for (const [index, d] of prev) where.set(d.id, index);
          const next = new Map(prev);
          for (const d of event.downloads) {
            const index = where.get(d.id);
            const wasRunning = seen.has(d.id);
            if (d.status === 'active') seen.add(d.id);
            else seen.delete(d.id);
            if (index === undefined) {
              if (!(wasRunning && d.status === 'active') && matches(filter, d)) refreshSoon();
              continue;
            }
            // Left the view, or moved in it (the order depends on the status).
            if (!matches(filter, d) || prev.get(index)!.status !== d.status) refreshSoon();
            next.set(index, d);
          }
          return next;
        });
      } else if (event.type === 'removed') {
        for (const id of event.ids) seen.delete(id);
        refreshSoon();
      }
    });
    return () => {
      off();
      if (pending) clearTimeout(pending);
    };
  }, [api, filter, refresh]);

  return { total, rows, global, running, ensure, refresh };
}
