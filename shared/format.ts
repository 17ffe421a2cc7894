import prettyBytes from 'pretty-bytes';

/**
 * Three significant figures ("646 MiB", "72.5 MiB"). Asking for a number of decimals would format through Intl,
 * whose locale data costs a command-line process 7 MiB the first time a figure is printed.
 */
export function formatBytes(bytes: number): string {
  return prettyBytes(bytes, { binary: true });
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.max(0, Math.round(bytesPerSecond)))}/s`;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (d > 0) return `${d}d${String(h).padStart(2, '0')}h`;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}
