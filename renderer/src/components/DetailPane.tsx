import { ExternalLink, FolderOpen, Link2, Pause, Play, RotateCw, Trash2, X } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { BraidApi } from '../../../shared/api';
import { displayName } from '../../../shared/file-category';
import { formatBytes, formatDuration, formatRate } from '../../../shared/format';
import { maskUrlPassword } from '../../../shared/header-mask';
import type { DownloadRecord, DownloadSnapshot, HostLimit, LinkRefresh, SegmentState } from '../../../shared/types';
import { versionCheck } from '../../../shared/verification';
import { canPause, canRefreshLink, canResume, canRetry, type QueueActions } from '../actions';
import { connectionWaitText, errorAdvice, failedItsChecksum, finishingText, STATUS_WORDS, withoutCommand } from '../../../shared/status-words';
import { FileIcon } from './FileIcon';
import { PaneResizer } from './PaneResizer';
import { SegmentBar } from './SegmentBar';

type Detail = { record: DownloadRecord; segments: SegmentState[] };

/**
 * One line of the pane; `wrap` for a sentence, which must not be cut short like a long path may be. A text value
 * cut short shows whole on hover.
 */
function Field({ label, children, wrap = false }: { label: string; children: React.ReactNode; wrap?: boolean }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd className={wrap ? 'wrap' : undefined} title={!wrap && typeof children === 'string' ? children : undefined}>
        {children}
      </dd>
    </div>
  );
}

/** A byte span in the units a person reads: "0 B – 12 MiB". */
const span = (s: SegmentState) => `${formatBytes(s.start)} – ${formatBytes(s.end)}`;

/** "14:02", with the day in front when it was not today. */
function clockTime(at: number): string {
  const d = new Date(at);
  const time = d.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}

/** "Link refreshed from the original URL at 14:02" or "Link replaced by you at 14:02". */
export function linkRefreshText(l: LinkRefresh): string {
  return `${l.by === 'user' ? 'Link replaced by you' : 'Link refreshed from the original URL'} at ${clockTime(l.at)}`;
}

/** "127.0.0.1:8080 allows 2 connections": what Braid learned of the server's limit. */
export function hostLimitText(h: HostLimit): string {
  return `${h.host} allows ${h.connections} connection${h.connections === 1 ? '' : 's'}`;
}

/** The docked pane: one download's progress, memory, source and last error with what to do next. */
export function DetailPane(props: { api: BraidApi; row: DownloadSnapshot | null; selection: DownloadSnapshot[]; actions: QueueActions; height: number; onResize: (h: number) => void; onClose: () => void }) {
  const { api, row, selection, actions, height, onResize, onClose } = props;
  const [detail, setDetail] = useState<Detail | null>(null);
  const id = row?.id ?? null;
  // Fetched again when the status or a whole MiB of progress changes, not on every snapshot.
  const version = row ? `${row.status}/${Math.floor(row.bytesDone / 1048576)}/${row.error?.code}` : '';
  useEffect(() => {
    if (id === null) return setDetail(null);
    let live = true;
    void api.detail(id).then((d) => live && setDetail(d), () => undefined);
    return () => {
      live = false;
    };
  }, [api, id, version]);

  return (
    // With nothing selected the pane is one line, so the list keeps the room.
    <section className="detail-pane" aria-label="Details" style={row ? { height } : undefined}>
      <PaneResizer height={height} onResize={onResize} />
      {!row ? (
        <div className="pane-empty">
          <p>{selection.length > 1 ? severalSelected(selection) : 'Select a download to see its details.'}</p>
          <button className="icon-button close" onClick={onClose} aria-label="Close details" title="Close (Esc)">
            <X size={16} aria-hidden />
          </button>
        </div>
      ) : (
        <DetailBody row={row} detail={detail?.record.id === row.id ? detail : null} actions={actions} onClose={onClose} />
      )}
    </section>
  );
}

function DetailBody({ row, detail, actions, onClose }: { row: DownloadSnapshot; detail: Detail | null; actions: QueueActions; onClose: () => void }) {
  const name = displayName(row);
  const r = detail?.record;
  const active = row.status === 'active';
  const finishing = active ? row.finishing : undefined;
  const done = row.status === 'completed';
  const memoryShare = row.memory.cap > 0 ? row.memory.inFlight / row.memory.cap : 0;
  const advice = row.error ? errorAdvice(row.error) : null;
  const linkRefresh = row.linkRefresh !== undefined ? row.linkRefresh : (r?.linkRefresh ?? null);
  // A running download's segments as received, as the bar and the row count them; the stored ones lag a checkpoint.
  const segments = row.segments.length > 0 ? row.segments : (detail?.segments ?? []);
  return (
    <div className="pane-body">
      <div className="pane-head">
        <FileIcon name={name} />
        <h2 title={name}>{name}</h2>
        <span className={`pill ${row.status}`}>{finishing ? finishingText(finishing) : STATUS_WORDS[row.status]}</span>
        <div className="pane-actions">
          {canPause(row) && (
            <button onClick={() => actions.pause([row.id])}>
              <Pause size={15} aria-hidden /> Pause
            </button>
          )}
          {canResume(row) && (
            <button onClick={() => actions.resume([row.id])}>
              <Play size={15} aria-hidden /> Resume
            </button>
          )}
          {canRetry(row) && (
            <button onClick={() => actions.retry([row.id])}>
              <RotateCw size={15} aria-hidden /> Retry
            </button>
          )}
          {done && actions.open && (
            <button onClick={() => actions.open?.(row.id, 'file')}>
              <ExternalLink size={15} aria-hidden /> Open
            </button>
          )}
          {done && actions.open && (
            <button onClick={() => actions.open?.(row.id, 'folder')}>
              <FolderOpen size={15} aria-hidden /> Show in folder
            </button>
          )}
          {canRefreshLink(row) && (
            // An expired link is the one thing a retry cannot fix, so the way out stands out.
            <button className={row.error?.code === 'LINK_EXPIRED' ? 'prominent' : undefined} onClick={() => actions.refreshLink(row.id)}>
              <Link2 size={15} aria-hidden /> Refresh link…
            </button>
          )}
          <button onClick={() => actions.remove([row.id])}>
            <Trash2 size={15} aria-hidden /> Remove…
          </button>
          <button className="icon-button" onClick={onClose} aria-label="Close details" title="Close (Esc)">
            <X size={16} aria-hidden />
          </button>
        </div>
      </div>
      {row.error && advice && (
        <div className="pane-error" role="note">
          <strong>{row.status === 'failed' ? 'This download failed' : 'Last problem'}: {withoutCommand(row.error.message)}.</strong> {advice.next}
        </div>
      )}
      <div className="pane-grid">
        <dl>
          <Field label="Downloaded" wrap>
            {/* Every byte came, and the file then failed its check: it is kept aside, and a retry fetches it again. */}
            {failedItsChecksum(row)
              ? `all of it, then it failed its checksum (kept as a .part file; Retry downloads it again)`
              : `${formatBytes(done && row.size !== null ? row.size : row.bytesDone)} of ${row.size === null ? 'unknown size' : formatBytes(row.size)}`}
          </Field>
          <Field label="Speed">{active && !finishing ? formatRate(row.speed) : '—'}</Field>
          <Field label="Time left">{active && !finishing ? formatDuration(row.eta) : '—'}</Field>
          <Field label="Connections" wrap>
            {!active ? '—' : row.connectionWait ? `0 · ${connectionWaitText(row.connectionWait)}` : row.connections}
          </Field>
          {row.hostLimit && <Field label="Server limit" wrap>{hostLimitText(row.hostLimit)}</Field>}
          <Field label="Memory">
            <span className="memory-line">
              <meter min={0} max={1} value={memoryShare} aria-label="Memory held for this download against its limit" />
              {formatBytes(row.memory.inFlight)} of {formatBytes(row.memory.cap)}
            </span>
          </Field>
        </dl>
        <dl>
          {/* Until it is finished the bytes are in NAME.part beside where the file will be. */}
          <Field label={row.status === 'completed' ? 'Saved to' : 'Saving to'}>
            {r ? (r.name ? `${r.folder}/${r.name}${row.status === 'completed' ? '' : ' (as .part until done)'}` : `${r.folder} (name given by the server)`) : row.folder}
          </Field>
          <Field label="Address">
            <span className="url" title={maskUrlPassword(row.url)}>
              {maskUrlPassword(row.url)}
            </span>
          </Field>
          {r?.finalUrl && r.finalUrl !== r.url && <Field label="Redirected to">{maskUrlPassword(r.finalUrl)}</Field>}
          {linkRefresh && <Field label="Link" wrap>{linkRefreshText(linkRefresh)}</Field>}
          {r && r.mirrors.length > 0 && <Field label="Mirrors">{r.mirrors.length}</Field>}
          <Field label="Same file checked by">{r?.finalUrl ? versionCheck(r) : 'known once the download has started'}</Field>
          <Field label="Resumable">{r?.finalUrl ? (r.acceptRanges ? 'Yes' : 'No, the server sends the file whole') : '—'}</Field>
          {r && r.retries > 0 && <Field label="Retried requests (all connections)">{r.retries}</Field>}
        </dl>
        <div className="pane-segments">
          <h3>Segments</h3>
          <SegmentBar d={row} label={`${name}: segments`} map />
          {segments.length > 0 && (
            <ol className="segment-list" aria-label="Segments" tabIndex={0}>
              {segments.map((s) => (
                <li key={s.start}>
                  <span>{span(s)}</span>
                  <span className="num">{Math.floor((s.done / Math.max(1, s.end - s.start)) * 100)}%</span>
                </li>
              ))}
            </ol>
          )}
          {r && r.retryLog.length > 0 && (
            <>
              <h3>Recent retries</h3>
              <ol className="retries" aria-label="Retry history" tabIndex={0}>
                {r.retryLog.map((e) => (
                  <li key={`${e.at}-${e.message}`}>
                    {new Date(e.at).toLocaleTimeString()} — {e.message}
                  </li>
                ))}
              </ol>
            </>
          )}
        </div>
      </div>
    </div>
  );
}

/** What a pane for several downloads says: how many, and how far they have come together. */
function severalSelected(selection: DownloadSnapshot[]): string {
  const done = selection.reduce((sum, d) => sum + d.bytesDone, 0);
  const sized = selection.every((d) => d.size !== null);
  const size = selection.reduce((sum, d) => sum + (d.size ?? 0), 0);
  const progress = sized ? `${formatBytes(done)} of ${formatBytes(size)}` : `${formatBytes(done)} downloaded`;
  return `${selection.length.toLocaleString()} downloads selected · ${progress}. Select one to see its details.`;
}
