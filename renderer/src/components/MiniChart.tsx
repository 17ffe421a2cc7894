const SECONDS = 60;
const W = 180;
const H = 44;

/** The last minute of a figure as the engine sampled it, a sample a second, oldest first; zeros before it ran. */
export function lastMinute(samples: readonly number[] | undefined): number[] {
  const kept = (samples ?? []).slice(-SECONDS);
  return [...new Array<number>(SECONDS - kept.length).fill(0), ...kept];
}

/** The scale's top: the next power of two, a round figure in binary units (1 MiB, 64 MiB, 512 KiB/s). */
function niceTop(max: number, floor: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(max, floor)));
}

/**
 * A small area chart over the last minute with its scale: the top value, 0 at the bottom, and an optional limit
 * line (the memory budget). Drawn at 0 too, so an idle Braid shows a flat line on a labelled axis.
 */
export function MiniChart(props: { label: string; now: string; samples: number[]; format: (v: number) => string; floor: number; limit?: number; className: string; title?: string }) {
  const { samples, format, floor, limit } = props;
  const top = niceTop(Math.max(...samples, limit ?? 0), floor);
  const y = (v: number) => H - (Math.min(v, top) / top) * (H - 2);
  const x = (i: number) => (i / (samples.length - 1)) * W;
  const line = samples.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  return (
    <div className={`mini-chart ${props.className}`} aria-label={`${props.label} over the last minute, now ${props.now}`} role="img" title={props.title}>
      <div className="caption">
        <span className="chart-label">{props.label}</span>
        <span className="chart-now">{props.now}</span>
      </div>
      <div className="chart-body">
        <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} preserveAspectRatio="none" aria-hidden>
          <line x1={0} x2={W} y1={1} y2={1} className="grid" />
          <line x1={0} x2={W} y1={H - 0.5} y2={H - 0.5} className="axis" />
          <polygon points={`0,${H} ${line} ${W},${H}`} className="area" />
          <polyline points={line} className="stroke" />
          {limit !== undefined && <line x1={0} x2={W} y1={y(limit)} y2={y(limit)} className="limit" />}
        </svg>
        <span className="scale" aria-hidden>
          <span>{format(top)}</span>
          <span>0</span>
        </span>
      </div>
    </div>
  );
}
