import type { DownloadSnapshot } from '../../../shared/types';

/** The progress bar is also the segment map: each segment's span, and how much of it is done. */
export function SegmentBar({ d, label }: { d: DownloadSnapshot; label: string }) {
  const size = d.size ?? 0;
  const whole = d.status === 'completed' ? 1 : size > 0 ? d.bytesDone / size : 0;
  return (
    <div className="bar" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(whole * 100)}>
      {size > 0 && d.segments.length > 0 && d.status !== 'completed' ? (
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
