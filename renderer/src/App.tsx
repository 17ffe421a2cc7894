import { useCallback, useEffect, useState } from 'react';
import type { BraidApi } from '../../shared/api';
import { formatBytes, formatRate } from '../../shared/format';
import type { DownloadSnapshot, GlobalStats } from '../../shared/types';
import { AddForm } from './components/AddForm';
import { QueueTable } from './components/QueueTable';

const PAGE = 500;

export function App({ api }: { api: BraidApi }) {
  const [downloads, setDownloads] = useState<Map<number, DownloadSnapshot>>(new Map());
  const [global, setGlobal] = useState<GlobalStats | null>(null);

  const reload = useCallback(async () => {
    const page = await api.list({ limit: PAGE });
    setDownloads(new Map(page.items.map((d) => [d.id, d])));
  }, [api]);

  useEffect(() => {
    void reload();
    return api.onEvent((event) => {
      if (event.type === 'snapshot') {
        setGlobal(event.global);
        if (event.downloads.length === 0) return;
        setDownloads((prev) => {
          const next = new Map(prev);
          for (const d of event.downloads) next.set(d.id, d);
          return next;
        });
      } else if (event.type === 'removed') {
        setDownloads((prev) => {
          const next = new Map(prev);
          for (const id of event.ids) next.delete(id);
          return next;
        });
      }
    });
  }, [api, reload]);

  const rows = [...downloads.values()].sort((a, b) => a.position - b.position);
  const done = rows.filter((d) => d.status === 'completed').length;
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
          <dd>{global?.queued ?? 0}</dd>
          <dt>Done</dt>
          <dd>{done}</dd>
          <dt>Memory</dt>
          <dd className="global-memory">
            {formatBytes(global?.inFlight ?? 0)} / {formatBytes(global?.memoryBudget ?? 0)}
          </dd>
        </dl>
      </header>
      <AddForm api={api} onAdded={() => void reload()} />
      <QueueTable downloads={rows} api={api} />
    </main>
  );
}
