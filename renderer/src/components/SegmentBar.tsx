import { failedItsChecksum } from '../../../shared/status-words';
import type { DownloadSnapshot } from '../../../shared/types';

/**
 * A download's progress: one fill of how much is done, or, with `map`, the segment map (each segment's span and how
 * much of it is done). Early in a download the map is a row of thin ticks that reads as "nothing yet", so the
 * queue's rows draw the fill and the detail pane the map.
 */
export function SegmentBar({ d, label, map = false }: { d: DownloadSnapshot; label: string; map?: boolean }) {
  const size = d.size ?? 0;
  const arrivedWhole = d.status === 'completed' || failedItsChecksum(d);
  const whole = arrivedWhole ? 1 : size > 0 ? d.bytesDone / size : 0;
  return (
    <div
      className="bar"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(whole * 100)}
      aria-valuetext={failedItsChecksum(d) ? 'arrived whole, failed its checksum' : undefined}
    >
      {map && size > 0 && d.segments.length > 0 && !arrivedWhole ? (
        d.segments.map((s) => (
          <div
            key={s.start}
            className="segment"
            style={{ left: `${(s.start / size) * 100}%`, width: `${(Math.min(s.done, s.end - s.start) / size) * 100}%` }}
          />
        ))
      ) : (
        <div className="segment" style={{ left: 0, width: `${whole * 100}%` }} />
      )}
    </div>
  );
}
