import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { toast, Toaster } from 'sonner';
import type { BraidApi } from '../../shared/api';
import { displayName } from '../../shared/file-category';
import type { DownloadSnapshot, Settings, SortKey } from '../../shared/types';
import type { QueueActions } from './actions';
import type { Connection } from './api/connection';
import { AddDialog, type AddSeed } from './components/add/AddDialog';
import { ConnectionBanner } from './components/ConnectionBanner';
import { StoreBanner } from './components/StoreBanner';
import { DetailPane } from './components/DetailPane';
import { FileIconSprite } from './components/FileIcon';
import { Header } from './components/Header';
import { QueueGrid } from './components/QueueGrid';
import { QueueMenu } from './components/QueueMenu';
import { RefreshLinkDialog } from './components/RefreshLinkDialog';
import { RemoveDialog } from './components/RemoveDialog';
import { SettingsDialog } from './components/SettingsDialog';
import { Sidebar } from './components/Sidebar';
import { SearchBox } from './components/SearchBox';
import { Toolbar } from './components/Toolbar';
import { everyDownload, idsWithStatus, undoableRemoval } from './queue-commands';
import { askForNotifications, useEngineNotices } from './useEngineNotices';
import { useGridSelection } from './useGridSelection';
import { listQuery, useQueue, type Filter, type Sort } from './useQueue';
import { useWindowInput } from './useWindowInput';

const PANE_KEY = 'braid.paneHeight';
/** A status view in the words of a sentence: "No downloads of this type among those downloading". */
const VIEW_WORDS: Record<Exclude<Filter['view'], 'all'>, string> = {
  active: 'those downloading',
  queued: 'those waiting',
  paused: 'the paused ones',
  completed: 'the finished ones',
  failed: 'the failed ones',
};

const EMPTY_TEXT: Record<Filter['view'], string> = {
  all: 'No downloads yet. Add one with the + button, Ctrl+N, or paste a link.',
  active: 'Nothing is downloading.',
  queued: 'Nothing is waiting.',
  paused: 'Nothing is paused.',
  completed: 'Nothing has finished yet.',
  failed: 'No failed downloads.',
};

/** Every download: no view, file type or search narrows the list. */
const EVERYTHING: Filter = { view: 'all', category: null, search: '' };

/** What an empty list says, and how to see the rest: the search and the type stay chosen across views. */
function emptyList(filter: Filter, show: (f: Filter) => void): { emptyText: string; emptyAction?: { label: string; run: () => void } } {
  if (filter.search) {
    const emptyText = `No downloads here match “${filter.search}”.`;
    // With a view or a type chosen too, clearing the search alone may show nothing more.
    if (filter.category || filter.view !== 'all') return { emptyText, emptyAction: { label: 'Show every download', run: () => show(EVERYTHING) } };
    return { emptyText, emptyAction: { label: 'Clear the search', run: () => show({ ...filter, search: '' }) } };
  }
  if (filter.category) {
    // Both choices named: the status view stays chosen while a type is, and either may be what hides the rows.
    const where = filter.view === 'all' ? 'here' : `among ${VIEW_WORDS[filter.view]}`;
    return { emptyText: `No downloads of this type ${where}.`, emptyAction: { label: 'Show every type', run: () => show({ ...filter, category: null }) } };
  }
  return { emptyText: EMPTY_TEXT[filter.view] };
}

export function App({ api, connection, inApp }: { api: BraidApi; connection: Connection; inApp: boolean }) {
  const [filter, setFilter] = useState<Filter>(EVERYTHING);
  const [sort, setSort] = useState<Sort>({ key: 'position', descending: false });
  const onSort = useCallback((key: SortKey) => setSort((s) => ({ key, descending: s.key === key && key !== 'position' ? !s.descending : false })), []);
  const { total, rows, global, running, ensure, refresh } = useQueue(api, filter, sort);
  const sel = useGridSelection(rows);
  const [paneOpen, setPaneOpen] = useState(true);
  const [paneHeight, setPaneHeight] = useState(() => Number(localStorage.getItem(PANE_KEY)) || 230);
  const [addSeed, setAddSeed] = useState<AddSeed | null>(null);
  const [removing, setRemoving] = useState<DownloadSnapshot[] | null>(null);
  // After a removal, the row that takes the place of the first removed one is selected once the list has it, so
  // Delete can go on down the list; given up if the list has not caught up soon (that part of it is not loaded).
  const selectAfterRemoval = useRef<{ index: number; gone: Set<number>; until: number } | null>(null);
  const [refreshing, setRefreshing] = useState<DownloadSnapshot | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [settings, setSettings] = useState<Settings | null>(null);
  useEffect(() => void api.getSettings().then(setSettings, () => undefined), [api]);
  useEffect(() => localStorage.setItem(PANE_KEY, String(paneHeight)), [paneHeight]);
  useEffect(() => connection.subscribe((state) => state === 'connected' && refresh()), [connection, refresh]);
  useEngineNotices(api, inApp);
  // Each opening of the Add dialog is a fresh one: nothing typed, previewed or chosen before carries over.
  const [addOpenings, setAddOpenings] = useState(0);
  const offer = useCallback((seed: AddSeed) => (setAddSeed(seed), setAddOpenings((n) => n + 1)), []);
  // Ctrl+A outside the list selects every download, as it does in the list; the rows are known further down.
  const selectAllRows = useRef<() => void>(() => undefined);
  const onSelectAll = useCallback(() => selectAllRows.current(), []);
  const searchBox = useRef<HTMLInputElement>(null);
  const focusSearch = useCallback(() => searchBox.current?.focus(), []);
  useWindowInput(offer, onSelectAll, focusSearch);

  // The rows Ctrl+A selected as the engine listed them: most of a long view is not loaded, and the selection acts on
  // all of it. A loaded row's own snapshot is the newer one.
  const [selectedUnloaded, setSelectedUnloaded] = useState<ReadonlyMap<number, DownloadSnapshot>>(new Map());
  // The filter now, for a Ctrl+A whose pages come back after the view changed: they are dropped.
  const shownFilter = useRef(filter);
  shownFilter.current = filter;

  // A filter that hides rows starts a new selection, so no action ever reaches a row that is not shown.
  const { clear } = sel;
  const changeFilter = useCallback((f: Filter) => (setFilter(f), clear(), setSelectedUnloaded(new Map())), [clear]);
  const onSearch = useCallback((search: string) => changeFilter({ ...filter, search }), [changeFilter, filter]);

  const attempt = useCallback((what: string, action: Promise<unknown>) => {
    action.then(refresh, (e: Error) => toast.error(`Could not ${what}`, { description: e.message }));
  }, [refresh]);
  // The downloads of these ids that the window knows: loaded rows, and those Ctrl+A selected beyond them.
  const known = useCallback((ids: Iterable<number>) => {
    const wanted = new Set(ids);
    const loaded = [...rows.values()].filter((d) => wanted.has(d.id));
    if (selectedUnloaded.size === 0) return loaded;
    for (const d of loaded) wanted.delete(d.id);
    return [...loaded, ...[...selectedUnloaded.values()].filter((d) => wanted.has(d.id))];
  }, [rows, selectedUnloaded]);
  // Nothing selected needs no scan of the loaded rows (thousands, after a long scroll).
  const selection = useMemo(() => (sel.selected.size === 0 ? [] : known(sel.selected)), [known, sel.selected]);
  const paneRow = selection.length === 1 ? selection[0]! : null;
  const actions: QueueActions = useMemo(
    () => ({
      pause: (ids) => attempt('pause', api.pause(ids)),
      resume: (ids) => attempt('resume', api.resume(ids)),
      retry: (ids) => attempt('retry', api.retry(ids)),
      remove: (ids) => setRemoving(known(ids)),
      ...(inApp ? { open: (id: number, what: 'file' | 'folder') => attempt(what === 'file' ? 'open the file' : 'show the folder', api.open(id, what)) } : {}),
      copyUrls: (ids) => {
        const urls = known(ids).map((d) => d.url);
        navigator.clipboard.writeText(urls.join('\n')).then(
          () => toast(urls.length === 1 ? 'URL copied' : `${urls.length} URLs copied`),
          () => toast.error('Could not copy', { description: 'The browser refused access to the clipboard.' }),
        );
      },
      move: (id, where) => attempt('move the download', api.move(id, where)),
      showDetails: (id) => (sel.selectIds([id]), setPaneOpen(true)),
      refreshLink: (id) => setRefreshing([...rows.values()].find((d) => d.id === id) ?? null),
    }),
    [api, attempt, rows, sel, inApp, known],
  );

  const confirmRemove = async (deleteFile: boolean) => {
    const targets = removing ?? [];
    setRemoving(null);
    const ids = targets.map((d) => d.id);
    try {
      const undo = await undoableRemoval(api, ids);
      await api.remove(ids, { deleteFile });
      const gone = new Set(ids);
      const removedAt = [...rows.entries()].filter(([, d]) => gone.has(d.id)).map(([index]) => index);
      selectAfterRemoval.current = { index: removedAt.length > 0 ? Math.min(...removedAt) : sel.focus, gone, until: Date.now() + 2000 };
      sel.afterRemoval();
      refresh();
      const what = targets.length === 1 ? `“${displayName(targets[0]!)}” removed` : `${ids.length.toLocaleString()} downloads removed`;
      if (undo && undo.length > 0) toast(what, { action: { label: 'Undo', onClick: () => attempt('undo', api.add(undo)) } });
      else toast(what);
    } catch (error) {
      toast.error('Could not remove', { description: (error as Error).message });
    }
  };

  useEffect(() => {
    const after = selectAfterRemoval.current;
    if (!after) return;
    if (total === 0) {
      selectAfterRemoval.current = null;
      return;
    }
    const index = Math.min(after.index, total - 1);
    const d = rows.get(index);
    if (d && after.gone.has(d.id) && Date.now() < after.until) return; // the list has not caught up yet
    selectAfterRemoval.current = null;
    if (d && !after.gone.has(d.id)) sel.select(index, 'only');
  }, [rows, total, sel]);

  const bulk = (what: string, run: () => Promise<unknown>) => attempt(what, run());
  const selectedIds = selection.map((d) => d.id);
  const keys = {
    toggle: () => {
      if (selection.some((d) => d.status === 'active' || d.status === 'queued')) actions.pause(selectedIds);
      else if (selection.length > 0) actions.resume(selectedIds);
    },
    remove: () => selection.length > 0 && setRemoving(selection),
    open: () => {
      const d = rows.get(sel.focus);
      if (d) actions.showDetails(d.id);
    },
    selectAll: () =>
      void everyDownload(api, listQuery(filter)).then((found) => {
        if (shownFilter.current !== filter) return;
        setSelectedUnloaded(new Map(found.map((d) => [d.id, d])));
        sel.selectIds(found.map((d) => d.id));
      }),
  };
  selectAllRows.current = keys.selectAll;

  // Escape closes the detail pane, unless a dialog or menu has it. Listened to first (capture), so the Escape that
  // closes a dialog is seen while the dialog is still open.
  const anyDialog = addSeed !== null || removing !== null || refreshing !== null || settingsOpen;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || anyDialog || (e.target instanceof Element && e.target.closest('[role="menu"]'))) return;
      // The search box's Escape clears what it holds first.
      if (e.target instanceof HTMLInputElement && e.target.value !== '') return;
      setPaneOpen(false);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [anyDialog]);

  return (
    <div className="app">
      <FileIconSprite />
      <ConnectionBanner connection={connection} />
      <StoreBanner problem={global?.storeProblem ?? null} />
      <header>
        <Header global={global} running={running} />
        <Toolbar
          selection={selection}
          counts={global?.counts}
          onAdd={() => (askForNotifications(inApp), offer({ text: '' }))}
          onResume={() => actions.resume(selection.filter((d) => d.status === 'paused' || d.status === 'failed').map((d) => d.id))}
          onPause={() => actions.pause(selectedIds)}
          onRemove={() => setRemoving(selection)}
          onStartAll={() => bulk('start all', async () => api.resume(await idsWithStatus(api, ['paused', 'failed'])))}
          onPauseAll={() => bulk('pause all', async () => api.pause(await idsWithStatus(api, ['active', 'queued'])))}
          onClearCompleted={() =>
            bulk('clear finished downloads', async () => {
              const ids = await idsWithStatus(api, ['completed']);
              if (ids.length === 0) return toast('Nothing finished to clear');
              await api.remove(ids, { deleteFile: false });
              // Said, since it takes many rows at once and asks nothing first: their files stay.
              toast(`${ids.length === 1 ? 'One finished download' : `${ids.length.toLocaleString()} finished downloads`} cleared from the list; the files stay`);
            })
          }
          onSettings={() => setSettingsOpen(true)}
          search={<SearchBox ref={searchBox} value={filter.search} onSearch={onSearch} />}
        />
      </header>
      <div className="body">
        <Sidebar filter={filter} counts={global?.counts} onFilter={changeFilter} />
        <main className="main">
          <QueueMenu selection={selection} actions={actions}>
            <QueueGrid
              total={total}
              rows={rows}
              ensure={ensure}
              selected={sel.selected}
              focus={sel.focus}
              select={sel.select}
              keys={keys}
              sort={sort}
              onSort={onSort}
              viewKey={`${filter.view}/${filter.category}/${filter.search}/${sort.key}/${sort.descending}`}
              {...emptyList(filter, changeFilter)}
            />
          </QueueMenu>
          {paneOpen && <DetailPane api={api} row={paneRow} selection={selection} actions={actions} height={paneHeight} onResize={setPaneHeight} onClose={() => setPaneOpen(false)} />}
        </main>
      </div>
      <AddDialog
        key={addOpenings}
        api={api}
        inApp={inApp}
        seed={addSeed}
        defaultFolder={settings?.folder ?? ''}
        onClose={() => setAddSeed(null)}
        onAdded={(n) => (toast.success(n === 1 ? 'Download added' : `${n.toLocaleString()} downloads added`), refresh())}
        onShow={(id) => (setAddSeed(null), changeFilter(EVERYTHING), sel.selectIds([id]), setPaneOpen(true))}
      />
      <RefreshLinkDialog api={api} target={refreshing} onClose={() => setRefreshing(null)} onRefreshed={refresh} />
      <RemoveDialog targets={removing} onCancel={() => setRemoving(null)} onConfirm={(d) => void confirmRemove(d)} />
      <SettingsDialog api={api} inApp={inApp} open={settingsOpen} onClose={() => setSettingsOpen(false)} onSaved={(s) => (setSettings(s), toast.success('Settings saved'))} />
      <Toaster closeButton position="bottom-left" toastOptions={{ className: 'toast' }} />
    </div>
  );
}
