import { formatBytes, formatDuration, formatRate } from '../../../shared/format';
import { bytesLeft, timeLeftOfAll } from '../../../shared/time-left';
import type { DownloadSnapshot, GlobalStats } from '../../../shared/types';
import { lastMinute, MiniChart } from './MiniChart';

const KIB = 1024;

/**
 * What people glance at: how fast, how much is left and when it ends; beside it Braid's memory view, what its
 * transfer buffers hold against the budget, with the process's resident memory in words.
 */
export function Header({ global, running }: { global: GlobalStats | null; running: DownloadSnapshot[] }) {
  const speed = global?.speed ?? 0;
  const inFlight = global?.inFlight ?? 0;
  const budget = global?.memoryBudget ?? 0;
  // The engine's own minute, so a window opened (or reloaded) while downloads run draws what came before it.
  const speeds = lastMinute(global?.recent?.speed);
  const memory = lastMinute(global?.recent?.inFlight);
  const sized = running.some((d) => d.size !== null);
  const left = bytesLeft(running);
  const active = global?.active ?? 0;
  const ends = timeLeftOfAll(running, speed, left);
  const waiting = global?.queued ?? 0;
  // A download whose every connection waits for its server receives nothing: it is not counted as downloading.
  const held = running.filter((d) => d.connectionWait).length;
  const receiving = Math.max(0, active - held);
  const heldPart = held > 0 ? ` · ${held} waiting for a connection` : '';
  // What is left and when it ends are the running downloads'; what waits is counted apart, so the figures do not
  // read as the whole queue's.
  const runningPart =
    receiving === 0
      ? `Nothing downloading${heldPart}`
      : `${receiving} downloading${sized ? ` · ${formatBytes(left)} left` : ''}${ends === null ? '' : ends < 1 ? ' · almost done' : ` · about ${formatDuration(ends)}`}${heldPart}`;
  const summary = waiting > 0 ? `${runningPart} · ${waiting.toLocaleString()} waiting` : runningPart;
  return (
    <div className="app-header">
      <div className="brand">
        <svg viewBox="0 0 24 24" width={22} height={22} aria-hidden className="logo">
          <path d="M4 6c5 0 5 12 10 12h6M4 12h16M4 18c5 0 5-12 10-12h6" fill="none" stroke="currentColor" strokeWidth={2.2} strokeLinecap="round" />
        </svg>
        <h1>Braid</h1>
        <p className="summary" aria-live="polite" title={summary}>
          {summary}
        </p>
      </div>
      <div className="charts">
        <MiniChart className="speed-chart" label="Speed" now={formatRate(speed)} samples={speeds} format={(v) => formatRate(v)} floor={100 * KIB} />
        <MiniChart
          className="memory-chart"
          label="Memory"
          now={`${formatBytes(inFlight)} of ${formatBytes(budget)}`}
          // What the figure counts, which a download's own "memory" (what it holds now) does not all show.
          title="Braid's transfer buffers against the memory budget: what the downloads hold now, and idle buffers kept for reuse, let go once nothing downloads"
          samples={memory}
          format={(v) => formatBytes(v)}
          floor={KIB * KIB}
          limit={budget}
        />
        <p className="process-memory" title="What the Braid process holds in memory in all (its resident set)">
          Braid uses {formatBytes(global?.process.rss ?? 0)}
        </p>
      </div>
    </div>
  );
}
