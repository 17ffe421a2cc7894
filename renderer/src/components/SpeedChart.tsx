import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatRate } from '../../../shared/format';

const SECONDS = 60;

/** The global speed over the last minute, one point a second. */
export function SpeedChart({ speed }: { speed: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const series = useRef<{ t: number[]; v: number[] }>({ t: [], v: [] });

  useEffect(() => {
    if (!box.current) return;
    const now = Math.floor(Date.now() / 1000);
    series.current = { t: Array.from({ length: SECONDS }, (_, i) => now - SECONDS + 1 + i), v: new Array(SECONDS).fill(0) };
    plot.current = new uPlot(
      {
        width: 260,
        height: 48,
        legend: { show: false },
        cursor: { show: false },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max, 1024)] } },
        series: [{}, { stroke: '#2f7cf6', fill: 'rgba(47,124,246,0.18)', width: 1.5, points: { show: false } }],
      },
      [series.current.t, series.current.v],
      box.current,
    );
    return () => plot.current?.destroy();
  }, []);

  useEffect(() => {
    const s = series.current;
    const second = Math.floor(Date.now() / 1000);
    const last = s.t[s.t.length - 1] ?? second;
    if (second > last) {
      for (let t = last + 1; t <= second; t++) {
        s.t.push(t);
        s.v.push(speed);
      }
      s.t.splice(0, s.t.length - SECONDS);
      s.v.splice(0, s.v.length - SECONDS);
    } else {
      s.v[s.v.length - 1] = speed;
    }
    plot.current?.setData([s.t, s.v]);
  }, [speed]);

  return <div className="chart" ref={box} role="img" aria-label={`Speed over the last minute, now ${formatRate(speed)}`} />;
}
