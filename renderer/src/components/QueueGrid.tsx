import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import { displayName } from '../../../shared/file-category';
import { maskUrlPassword } from '../../../shared/header-mask';
import { formatBytes, formatDuration, formatRate } from '../../../shared/format';
import type { DownloadSnapshot, SortKey } from '../../../shared/types';
import type { SelectHow } from '../useGridSelection';
import type { Sort } from '../useQueue';
import { connectionWaitText, errorHover, failedItsChecksum, statusText } from '../../../shared/status-words';
import { FileIcon } from './FileIcon';
import { SegmentBar } from './SegmentBar';

const ROW_HEIGHT = 36;
/** The column heads stick above the rows inside the same scrolling grid. */
const HEAD_HEIGHT = 30;

function percent(d: DownloadSnapshot): string {
  if (d.status === 'completed') return '100%';
  if (failedItsChecksum(d)) return '';
  if (d.size) return `${Math.floor((d.bytesDone / d.size) * 1000) / 10}%`;
  return d.bytesDone > 0 ? formatBytes(d.bytesDone) : '';
}

/** One row; drawn again only when its download, place or selection changes, not when a neighbour's does. */
const Row = memo(function Row(props: {
  d: DownloadSnapshot;
  index: number;
  top: number;
  selected: boolean;
  focused: boolean;
  onPointer: (index: number, e: MouseEvent) => void;
  onOpen: () => void;
}) {
  const { d, index, top, selected, focused, onPointer, onOpen } = props;
  const name = displayName(d);
  // Nothing is received while a download is finished, so it has no speed or time left to show.
  const receiving = d.status === 'active' && !d.finishing;
  return (
    <div
      id={`row-${d.id}`}
      className={`row${selected ? ' selected' : ''}${focused ? ' focused' : ''}`}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      data-id={d.id}
      data-status={d.status}
      style={{ transform: `translateY(${top}px)` }}
      onMouseDown={(e) => onPointer(index, e)}
      onContextMenu={(e) => onPointer(index, e)}
      onDoubleClick={onOpen}
    >
      {/* The address on hover tells apart downloads of one name that have not started (and so have no "(1)" yet). */}
      <span role="gridcell" className="name" title={`${name}\n${maskUrlPassword(d.url)}`}>
        <FileIcon name={name} />
        <span className="text">{name}</span>
      </span>
      <span role="gridcell" className="num size">{d.size === null ? '—' : formatBytes(d.size)}</span>
      <span role="gridcell" className="progress">
        <SegmentBar d={d} label={`${name}: downloaded`} />
        <span className="pct">{percent(d)}</span>
      </span>
      <span role="gridcell" className="num speed">{receiving ? formatRate(d.speed) : ''}</span>
      {/* Not known yet reads as the rest of the window writes it (—), not as the terminal's "--". */}
      <span role="gridcell" className="num eta">{receiving ? (d.eta === null ? '—' : formatDuration(d.eta)) : ''}</span>
      <span role="gridcell" className="status" title={d.error ? errorHover(d.error) : d.finishing ? statusText(d) : d.connectionWait ? `${connectionWaitText(d.connectionWait)}: it starts when another download lets one go` : undefined}>
        {statusText(d)}
      </span>
    </div>
  );
});

export interface GridKeys {
  /** Space on the grid: pause what runs among the selection, else resume it. */
  toggle(): void;
  remove(): void;
  /** Enter: show the focus row in the detail pane. */
  open(): void;
  selectAll(): void;
}

/** The queue as an ARIA grid: only the rows in view are rendered; the rest are fetched as they scroll in. */
export function QueueGrid(props: {
  total: number;
  rows: Map<number, DownloadSnapshot>;
  ensure: (start: number, end: number) => void;
  selected: Set<number>;
  focus: number;
  select: (index: number, how: SelectHow) => void;
  keys: GridKeys;
  sort: Sort;
  onSort: (key: SortKey) => void;
  emptyText: string;
  /** A way out of an empty list, such as showing every file type again. */
  emptyAction?: { label: string; run: () => void };
  /** Changes when the view, file type or sort changes: the list starts again from its top. */
  viewKey: string;
}) {
  const { total, rows, ensure, selected, focus, select, keys, sort, onSort, emptyText, emptyAction, viewKey } = props;
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [viewKey]);
  const virtualizer = useVirtualizer({ count: total, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10, scrollMargin: HEAD_HEIGHT });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => ensure(first, last + 1), [ensure, first, last]);

  const header = (key: SortKey | null, label: string, className: string) => (
    <span role="columnheader" className={className} aria-sort={key && sort.key === key ? (sort.descending ? 'descending' : 'ascending') : undefined}>
      {key ? (
        <button className="sort" onClick={() => onSort(sort.key === key && sort.descending ? 'position' : key)}>
          {label}
          <span aria-hidden>{sort.key === key ? (sort.descending ? ' ↓' : ' ↑') : ''}</span>
        </button>
      ) : (
        label
      )}
    </span>
  );

  const moveTo = (index: number, e: KeyboardEvent) => {
    const target = Math.max(0, Math.min(total - 1, index));
    select(target, e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'focus' : 'only');
    virtualizer.scrollToIndex(target, { align: 'auto' });
  };
  const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.target !== e.currentTarget) return;
    const mod = e.ctrlKey || e.metaKey;
    // With nothing selected yet (the list reached by Tab), the first arrow selects the row that has the focus.
    const step = selected.size === 0 ? 0 : 1;
    if (e.key === 'ArrowDown') moveTo(focus + step, e);
    else if (e.key === 'ArrowUp') moveTo(focus - step, e);
    else if (e.key === 'PageDown') moveTo(focus + page, e);
    else if (e.key === 'PageUp') moveTo(focus - page, e);
    else if (e.key === 'Home') moveTo(0, e);
    else if (e.key === 'End') moveTo(total - 1, e);
    else if (e.key === 'a' && mod) keys.selectAll();
    else if (e.key === ' ' && mod) select(focus, 'toggle');
    else if (e.key === ' ') keys.toggle();
    else if (e.key === 'Enter') keys.open();
    else if (e.key === 'Delete' || (e.key === 'Backspace' && e.metaKey)) keys.remove();
    else return;
    e.preventDefault();
  };
  // Stable across renders (what it reads is in a ref), so the memoised rows are not all drawn again.
  const latest = useRef({ rows, selected, select, keys });
  latest.current = { rows, selected, select, keys };
  const onOpen = useCallback(() => latest.current.keys.open(), []);
  const onPointer = useCallback((index: number, e: MouseEvent) => {
    const { rows, selected, select } = latest.current;
    if (e.button === 2) {
      // A right click on a row outside the selection acts on that row alone, as file managers do.
      const id = rows.get(index)?.id;
      if (id !== undefined && !selected.has(id)) select(index, 'only');
      return;
    }
    if (e.button !== 0) return;
    select(index, e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'only');
  }, []);
  const focusRow = rows.get(focus);
  // The grid is its own scroller, so the one element that takes the keyboard is also the one that scrolls.
  return (
    <div
      className="queue"
      ref={scroller}
      data-testid="queue-scroller"
      role="grid"
      aria-label="Downloads"
      aria-rowcount={total + 1}
      aria-multiselectable
      tabIndex={0}
      aria-activedescendant={focusRow && items.some((i) => i.index === focus) ? `row-${focusRow.id}` : undefined}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="head">
        <div className="row" role="row" aria-rowindex={1}>
          {header('name', 'Name', 'name')}
          {header('size', 'Size', 'num size')}
          {header(null, 'Progress', 'progress')}
          {header(null, 'Speed', 'num speed')}
          {header(null, 'Time left', 'num eta')}
          {header('status', 'Status', 'status')}
        </div>
      </div>
      {total === 0 && (
        <p className="empty">
          {emptyText}
          {emptyAction && (
            <>
              {' '}
              <button className="link-button" onClick={emptyAction.run}>
                {emptyAction.label}
              </button>
            </>
          )}
        </p>
      )}
        <div role="rowgroup" className="rows" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const d = rows.get(item.index);
            return d ? (
              <Row key={item.key} d={d} index={item.index} top={item.start - HEAD_HEIGHT} selected={selected.has(d.id)} focused={item.index === focus} onPointer={onPointer} onOpen={onOpen} />
            ) : (
              <div key={item.key} className="row loading" role="row" aria-rowindex={item.index + 2} style={{ transform: `translateY(${item.start - HEAD_HEIGHT}px)` }}>
                <span role="gridcell" />
              </div>
            );
          })}
      </div>
    </div>
  );
}
