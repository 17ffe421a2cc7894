import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { BraidApi } from '../../../shared/api';
import { formatBytes, formatDuration, formatRate } from '../../../shared/format';
import type { DownloadSnapshot, SortKey } from '../../../shared/types';
import type { Sort } from '../useQueue';
import { SegmentBar } from './SegmentBar';

const ROW_HEIGHT = 34;

function Row({ d, api, selected, onSelect }: { d: DownloadSnapshot; api: BraidApi; selected: boolean; onSelect: (id: number, add: boolean) => void }) {
  const canPause = d.status === 'active' || d.status === 'queued';
  const canResume = d.status === 'paused';
  const active = d.status === 'active';
  return (
    <div
      className={`row${selected ? ' selected' : ''}`}
      role="row"
      aria-selected={selected}
      data-id={d.id}
      data-status={d.status}
      onClick={(e) => onSelect(d.id, e.ctrlKey || e.metaKey)}
    >
      <span className="name" title={d.url}>{d.name ?? d.url}</span>
      <span className="num">{d.size === null ? '?' : formatBytes(d.size)}</span>
      <span className="progress">
        <SegmentBar d={d} />
        <span className="pct">{d.size ? `${((d.bytesDone / d.size) * 100).toFixed(1)}%` : formatBytes(d.bytesDone)}</span>
      </span>
      <span className="num speed">{active ? formatRate(d.speed) : ''}</span>
      <span className="num">{active ? formatDuration(d.eta) : ''}</span>
      <span className="num">{active ? d.connections : ''}</span>
      <span className="num memory">{active ? `${formatBytes(d.memory.inFlight)} / ${formatBytes(d.memory.cap)}` : ''}</span>
      <span className="status" title={d.error?.message}>
        {d.status}
        {d.error && d.status === 'failed' ? `: ${d.error.message}` : ''}
      </span>
      <span className="actions" onClick={(e) => e.stopPropagation()}>
        {canPause && <button onClick={() => void api.pause([d.id])}>Pause</button>}
        {canResume && <button onClick={() => void api.resume([d.id])}>Resume</button>}
        {d.status === 'failed' && <button onClick={() => void api.retry([d.id])}>Retry</button>}
        <button onClick={() => void api.remove([d.id], { deleteFile: false })}>Remove</button>
      </span>
    </div>
  );
}

/** Only the rows in view are rendered; the rest are fetched from the engine as they scroll in. */
export function QueueTable(props: {
  api: BraidApi;
  total: number;
  rows: Map<number, DownloadSnapshot>;
  ensure: (start: number, end: number) => void;
  selection: Set<number>;
  onSelect: (id: number, add: boolean) => void;
  sort: Sort;
  onSort: (key: SortKey) => void;
}) {
  const { api, total, rows, ensure, selection, onSelect, sort, onSort } = props;
  const header = (key: SortKey, label: string) => (
    <span role="columnheader" aria-sort={sort.key === key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
      <button className="sort" onClick={() => onSort(key)}>
        {label}
        {sort.key === key ? (sort.descending ? ' ▼' : ' ▲') : ''}
      </button>
    </span>
  );
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: total, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => ensure(first, last + 1), [ensure, first, last]);
  return (
    <div className="queue" role="grid" aria-rowcount={total}>
      <div className="row head" role="row">
        {header('name', 'Name')}
        {header('size', 'Size')}
        <span>Progress</span>
        <span>Speed</span>
        <span>ETA</span>
        <span>Conn.</span>
        <span>Memory</span>
        {header('status', 'Status')}
        {header('position', 'Order')}
      </div>
      <div className="scroller" ref={scroller} data-testid="queue-scroller">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const d = rows.get(item.index);
            return (
              <div key={item.key} style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}>
                {d ? <Row d={d} api={api} selected={selection.has(d.id)} onSelect={onSelect} /> : <div className="row loading" role="row" />}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
