import { useCallback, useEffect, useState } from 'react';
import type { BraidApi } from '../../shared/api';
import { formatBytes, formatRate } from '../../shared/format';
import { AddForm } from './components/AddForm';
import { ImportButton } from './components/ImportButton';
import { QueueTable } from './components/QueueTable';
import { useQueue, type Filter } from './useQueue';

const FILTERS: Filter[] = ['all', 'active', 'queued', 'paused', 'completed', 'failed'];

export function App({ api }: { api: BraidApi }) {
  const [filter, setFilter] = useState<Filter>('all');
  const { total, rows, global, ensure, refresh } = useQueue(api, filter);
  const [selection, setSelection] = useState<Set<number>>(new Set());

  const onSelect = useCallback((id: number, add: boolean) => {
    setSelection((prev) => {
      const next = new Set(add ? prev : []);
      if (add && prev.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  // Space pauses or resumes the selection; Delete removes it (keeping the files).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (selection.size === 0 || (e.target as HTMLElement).closest('textarea, input')) return;
      const ids = [...selection];
      const selected = [...rows.values()].filter((d) => selection.has(d.id));
      if (e.key === ' ') {
        e.preventDefault();
        if (selected.some((d) => d.status === 'active' || d.status === 'queued')) void api.pause(ids);
        else void api.resume(ids);
      } else if (e.key === 'Delete') {
        void api.remove(ids, { deleteFile: false }).then(() => setSelection(new Set()));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [api, rows, selection]);

  const counts = global?.counts;
  return (
    <main>
      <header>
        <h1>Braid</h1>
        <dl className="stats">
          <dt>Speed</dt>
          <dd className="global-speed">{formatRate(global?.speed ?? 0)}</dd>
          <dt>Active</dt>
          <dd>{global?.active ?? 0}</dd>
          <dt>Queued</dt>
          <dd>{counts?.queued ?? 0}</dd>
          <dt>Done</dt>
          <dd>{counts?.completed ?? 0}</dd>
          <dt>In flight</dt>
          <dd className="global-memory">
            {formatBytes(global?.inFlight ?? 0)} / {formatBytes(global?.memoryBudget ?? 0)}
          </dd>
          <dt>Engine</dt>
          <dd className="process-memory">
            RSS {formatBytes(global?.process.rss ?? 0)}, heap {formatBytes(global?.process.heapUsed ?? 0)}
          </dd>
        </dl>
      </header>
      <section className="toolbar">
        <AddForm api={api} onAdded={refresh} />
        <ImportButton api={api} onImported={refresh} />
      </section>
      <nav className="filters" aria-label="Filter">
        {FILTERS.map((f) => (
          <button key={f} aria-pressed={filter === f} onClick={() => setFilter(f)}>
            {f}
            {counts && f !== 'all' ? ` (${counts[f]})` : ''}
          </button>
        ))}
      </nav>
      <QueueTable api={api} total={total} rows={rows} ensure={ensure} selection={selection} onSelect={onSelect} />
    </main>
  );
}
