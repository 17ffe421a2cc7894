import { formatBytes, formatRate } from '../../shared/format';
import { maskUrlPassword } from '../../shared/header-mask';
import { runningNote } from '../../shared/status-words';
import type { DownloadSnapshot, EngineEvent } from '../../shared/types';
import { SEAM_CHECK } from '../../shared/verification';

export interface ProgressView {
  onEvent(event: EngineEvent): void;
  stop(): void;
}

/** The server a download's seam note is about. */
function serverOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Downloads whose seams are being checked, one for each server the person has not been told about yet: a list of
 * files from one server gets the note once, not once a file.
 */
export function seamChecked(downloads: readonly DownloadSnapshot[], told: Set<string>): DownloadSnapshot[] {
  const fresh: DownloadSnapshot[] = [];
  for (const d of downloads) {
    if (!d.seamCheck) continue;
    const server = serverOf(d.url);
    if (told.has(server)) continue;
    told.add(server);
    fresh.push(d);
  }
  return fresh;
}

/** The note said the first time a server's download has its seams checked. */
export const SEAM_NOTE = `${SEAM_CHECK} (said once for each server)`;

/**
 * Plain lines for logs and pipes: each outcome on `results`, and on `progress` (standard error, as curl and wget
 * keep it) a progress line per download every few seconds and the notes, so a script reading the results reads
 * nothing else.
 */
export function linesView(results: NodeJS.WritableStream, progress: NodeJS.WritableStream = results, everyMs = 5000): ProgressView {
  const lastPrinted = new Map<number, number>();
  const told = new Set<string>();
  return {
    onEvent(event) {
      if (event.type === 'snapshot') for (const d of seamChecked(event.downloads, told)) progress.write(`note #${d.id} ${d.name ?? maskUrlPassword(d.url)}: ${SEAM_NOTE}\n`);
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
