import { formatBytes, formatRate } from '../../shared/format';
import { maskUrlPassword } from '../../shared/header-mask';
import { runningNote } from '../../shared/status-words';
import type { DownloadSnapshot, EngineEvent } from '../../shared/types';
import { SEAM_CHECK } from '../../shared/verification';

export interface ProgressView {
  onEvent(event: EngineEvent): void;
  stop(): void;
}

/** Downloads whose seams are being checked that the person has not been told about yet. */
export function seamChecked(downloads: readonly DownloadSnapshot[], told: Set<number>): DownloadSnapshot[] {
  const fresh = downloads.filter((d) => d.seamCheck && !told.has(d.id));
  for (const d of fresh) told.add(d.id);
  return fresh;
}

/**
 * Plain lines for logs and pipes: each outcome on `results`, and on `progress` (standard error, as curl and wget
 * keep it) a progress line per download every few seconds and the notes, so a script reading the results reads
 * nothing else.
 */
export function linesView(results: NodeJS.WritableStream, progress: NodeJS.WritableStream = results, everyMs = 5000): ProgressView {
  const lastPrinted = new Map<number, number>();
  const told = new Set<number>();
  return {
    onEvent(event) {
      if (event.type === 'snapshot') for (const d of seamChecked(event.downloads, told)) progress.write(`note #${d.id} ${d.name ?? maskUrlPassword(d.url)}: ${SEAM_CHECK}\n`);
      if (event.type === 'completed') results.write(`completed #${event.id} ${event.path}\n`);
      if (event.type !== 'snapshot') return;
      const now = Date.now();
      for (const d of event.downloads) {
        if (d.status !== 'active') continue;
        // The first line waits a full interval, so it shows a measured speed rather than 0.
        if (!lastPrinted.has(d.id)) lastPrinted.set(d.id, now);
        if (now - lastPrinted.get(d.id)! < everyMs) continue;
        lastPrinted.set(d.id, now);
        const pct = d.size ? ` ${((d.bytesDone / d.size) * 100).toFixed(1)}%` : '';
        const state = runningNote(d)?.toLowerCase() ?? formatRate(d.speed);
        progress.write(`progress #${d.id} ${d.name ?? maskUrlPassword(d.url)}${pct} ${formatBytes(d.bytesDone)} ${state}\n`);
      }
    },
    stop() {},
  };
}
