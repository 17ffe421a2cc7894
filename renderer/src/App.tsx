import { useCallback, useEffect, useState } from 'react';
import type { BraidApi } from '../../shared/api';
import { formatBytes, formatRate } from '../../shared/format';
import { AddForm } from './components/AddForm';
import { DetailPanel } from './components/DetailPanel';
import { SettingsPanel } from './components/SettingsPanel';
import { SpeedChart } from './components/SpeedChart';
import { ImportButton } from './components/ImportButton';
import { QueueTable } from './components/QueueTable';
import { useQueue, type Filter, type Sort } from './useQueue';
import type { SortKey } from '../../shared/types';

/** Keys and pastes in a text field belong to that field. */
function inTextField(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('textarea, input') !== null;
}

const FILTERS: Filter[] = ['all', 'active', 'queued', 'paused', 'completed', 'failed'];

export function App({ api }: { api: BraidApi }) {
  const [filter, setFilter] = useState<Filter>('all');
  const [sort, setSort] = useState<Sort>({ key: 'position', descending: false });
  const onSort = useCallback((key: SortKey) => setSort((s) => ({ key, descending: s.key === key ? !s.descending : false })), []);
  const { total, rows, global, ensure, refresh } = useQueue(api, filter, sort);
  const [selection, setSelection] = useState<Set<number>>(new Set());
  const [showSettings, setShowSettings] = useState(false);
  const [dropReport, setDropReport] = useState('');

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
      if (selection.size === 0 || inTextField(e.target)) return;
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

  // URLs pasted anywhere but a text field, or dropped on the window (text or .txt lists), are added.
  useEffect(() => {
    const urlsIn = (text: string) => text.split(/\s+/).filter((t) => /^https?:\/\//i.test(t));
    const addUrls = async (urls: string[]) => {
      if (urls.length === 0) return;
      const results = await api.add(urls.map((url) => ({ url })));
      setDropReport(`${results.filter((r) => r.ok).length} added`);
      refresh();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (inTextField(e.target)) return;
      void addUrls(urlsIn(e.clipboardData?.getData('text') ?? ''));
    };
    const onDragOver = (e: DragEvent) => e.preventDefault();
    const onDrop = async (e: DragEvent) => {
      e.preventDefault();
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length > 0) {
        for (const file of files) {
          const report = await api.importList(await file.text(), {});
          setDropReport(`${file.name}: ${report.added} added, ${report.refused} refused`);
        }
        refresh();
        return;
      }
      await addUrls(urlsIn(e.dataTransfer?.getData('text/uri-list') || e.dataTransfer?.getData('text/plain') || ''));
    };
    window.addEventListener('paste', onPaste);
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('paste', onPaste);
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, [api, refresh]);

  const selectedId = selection.size === 1 ? [...selection][0]! : null;
  const selectedRow = selectedId === null ? undefined : [...rows.values()].find((d) => d.id === selectedId);
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
        <SpeedChart speed={global?.speed ?? 0} />
        <button className="settings-button" onClick={() => setShowSettings((v) => !v)} aria-expanded={showSettings}>
          Settings
        </button>
      </header>
      {showSettings && <SettingsPanel api={api} onClose={() => setShowSettings(false)} />}
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
      {selection.size > 1 && (
        <div className="bulk" role="toolbar" aria-label="Selected downloads">
          {selection.size} selected:
          <button onClick={() => void api.pause([...selection])}>Pause</button>
          <button onClick={() => void api.resume([...selection])}>Resume</button>
          <button onClick={() => void api.retry([...selection])}>Retry</button>
          <button onClick={() => void api.remove([...selection], { deleteFile: false }).then(() => setSelection(new Set()))}>Remove</button>
        </div>
      )}
      {dropReport && <p role="status" className="drop-report">{dropReport}</p>}
      <QueueTable api={api} total={total} rows={rows} ensure={ensure} selection={selection} onSelect={onSelect} sort={sort} onSort={onSort} />
      {selectedId !== null && <DetailPanel api={api} id={selectedId} version={(selectedRow?.bytesDone ?? 0) + (selectedRow?.status.length ?? 0) * 1e15} />}
    </main>
  );
}
