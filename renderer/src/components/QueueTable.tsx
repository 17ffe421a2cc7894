import type { BraidApi } from '../../../shared/api';
import { formatBytes, formatDuration, formatRate } from '../../../shared/format';
import type { DownloadSnapshot } from '../../../shared/types';
import { SegmentBar } from './SegmentBar';

function Row({ d, api }: { d: DownloadSnapshot; api: BraidApi }) {
  const canPause = d.status === 'active' || d.status === 'queued';
  const canResume = d.status === 'paused' || d.status === 'failed';
  return (
    <tr data-id={d.id} data-status={d.status}>
      <td className="name" title={d.url}>{d.name ?? d.url}</td>
      <td className="num">{d.size === null ? '?' : formatBytes(d.size)}</td>
      <td>
        <div className="progress">
          <SegmentBar d={d} />
          <span className="pct">{d.size ? `${((d.bytesDone / d.size) * 100).toFixed(1)}%` : formatBytes(d.bytesDone)}</span>
        </div>
      </td>
      <td className="num speed">{d.status === 'active' ? formatRate(d.speed) : ''}</td>
      <td className="num">{d.status === 'active' ? formatDuration(d.eta) : ''}</td>
      <td className="num">{d.status === 'active' ? d.connections : ''}</td>
      <td className="num memory">{d.status === 'active' ? `${formatBytes(d.memory.inFlight)} / ${formatBytes(d.memory.cap)}` : ''}</td>
      <td className="status" title={d.error?.message}>
        {d.status}
        {d.error && d.status === 'failed' ? `: ${d.error.message}` : ''}
      </td>
      <td className="actions">
        {canPause && <button onClick={() => void api.pause([d.id])}>Pause</button>}
        {canResume && <button onClick={() => void api.resume([d.id])}>Resume</button>}
        <button onClick={() => void api.remove([d.id], { deleteFile: false })}>Remove</button>
      </td>
    </tr>
  );
}

export function QueueTable({ downloads, api }: { downloads: DownloadSnapshot[]; api: BraidApi }) {
  return (
    <table className="queue">
      <thead>
        <tr>
          <th>Name</th>
          <th>Size</th>
          <th>Progress</th>
          <th>Speed</th>
          <th>ETA</th>
          <th>Conn.</th>
          <th>Memory</th>
          <th>Status</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {downloads.map((d) => (
          <Row key={d.id} d={d} api={api} />
        ))}
      </tbody>
    </table>
  );
}
