import { useEffect, useState } from 'react';
import type { BraidApi } from '../../../shared/api';
import { formatBytes } from '../../../shared/format';
import type { DownloadRecord, SegmentState } from '../../../shared/types';
import { versionCheck } from '../../../shared/verification';

/** Everything known about one download, its segments, and its last error in plain words. */
export function DetailPanel({ api, id, version }: { api: BraidApi; id: number; version: number }) {
  const [detail, setDetail] = useState<{ record: DownloadRecord; segments: SegmentState[] } | null>(null);
  const [problem, setProblem] = useState('');
  const act = (action: Promise<unknown>) => action.then(() => setProblem(''), (e: Error) => setProblem(e.message));
  useEffect(() => void api.detail(id).then(setDetail), [api, id, version]);
  if (!detail) return null;
  const r = detail.record;
  const rows: [string, string][] = [
    ['URL', r.url],
    ...(r.mirrors.length > 0 ? ([['Mirrors', r.mirrors.join(', ')]] as [string, string][]) : []),
    ...(r.sourceUrl ? ([['From mirror', r.sourceUrl]] as [string, string][]) : []),
    ['Final URL', r.finalUrl ?? '—'],
    ['Saved as', r.name ? `${r.folder}/${r.name}` : r.folder],
    ['Size', r.size === null ? 'unknown' : `${formatBytes(r.size)} (${r.size} bytes)`],
    ['ETag', r.etag ?? '—'],
    ['Last-Modified', r.lastModified ?? '—'],
    ['Ranges', r.acceptRanges ? 'yes' : 'no'],
    // Ranges and validators are known only once the server has answered the first time.
    ['Same file checked by', r.finalUrl ? versionCheck(r) : 'known once the download has started'],
    ['Retries', String(r.retries)],
    ['Last error', r.error ? `${r.error.message} (${r.error.code})` : '—'],
  ];
  return (
    <section className="panel detail" aria-label="Details">
      <dl>
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <div className="buttons">
        {r.status === 'completed' && <button onClick={() => void act(api.open(id, 'file'))}>Open</button>}
        {r.status === 'completed' && <button onClick={() => void act(api.open(id, 'folder'))}>Show in folder</button>}
        <button onClick={() => void api.move(id, 'up')}>Move up</button>
        <button onClick={() => void api.move(id, 'down')}>Move down</button>
        <button onClick={() => void api.remove([id], { deleteFile: true })}>Remove and delete file</button>
        {problem && <span role="alert">{problem}</span>}
      </div>
      {r.retryLog.length > 0 && (
        <ol className="retries" aria-label="Retry history">
          {r.retryLog.map((e) => (
            <li key={`${e.at}-${e.message}`}>
              {new Date(e.at).toLocaleTimeString()} — {e.message} ({e.code})
            </li>
          ))}
        </ol>
      )}
      {detail.segments.length > 0 && (
        <table className="segments" aria-label="Segments">
          <thead>
            <tr>
              <th>Start</th>
              <th>End</th>
              <th>Done</th>
            </tr>
          </thead>
          <tbody>
            {detail.segments.map((s) => (
              <tr key={s.start}>
                <td>{s.start}</td>
                <td>{s.end}</td>
                <td>{((s.done / Math.max(1, s.end - s.start)) * 100).toFixed(1)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
