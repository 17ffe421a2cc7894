import cliProgress from 'cli-progress';
import { formatBytes, formatDuration, formatRate } from '../../shared/format';
import type { DownloadSnapshot, EngineEvent } from '../../shared/types';
import { SEAM_CHECK } from '../../shared/verification';

export interface ProgressView {
  onEvent(event: EngineEvent): void;
  stop(): void;
}

function label(d: DownloadSnapshot): string {
  const name = d.name ?? d.url;
  return name.length > 40 ? `${name.slice(0, 39)}…` : name.padEnd(40);
}

/** Downloads whose seams are being checked that the person has not been told about yet. */
function seamChecked(downloads: readonly DownloadSnapshot[], told: Set<number>): DownloadSnapshot[] {
  const fresh = downloads.filter((d) => d.seamCheck && !told.has(d.id));
  for (const d of fresh) told.add(d.id);
  return fresh;
}

/** Live bars on a terminal, one per running download. */
export function barsView(stream: NodeJS.WriteStream): ProgressView {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: '{name} {bar} {percentage}% {done}/{size} {speed} eta {eta_text} {conns}c',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const byId = new Map<number, cliProgress.SingleBar>();
  const told = new Set<number>();
  return {
    onEvent(event) {
      if (event.type === 'snapshot') for (const d of seamChecked(event.downloads, told)) bars.log(`note   ${d.name ?? d.url}: ${SEAM_CHECK}\n`);
      if (event.type === 'completed') bars.log(`done   ${event.path}\n`);
      if (event.type === 'failed') bars.log(`failed #${event.id}: ${event.error.message}\n`);
      if (event.type !== 'snapshot') return;
      for (const d of event.downloads) {
        const payload = {
          name: label(d),
          done: formatBytes(d.bytesDone),
          size: d.size === null ? '?' : formatBytes(d.size),
          speed: formatRate(d.speed).padStart(11),
          eta_text: formatDuration(d.eta),
          conns: d.connections,
        };
        let bar = byId.get(d.id);
        if (d.status !== 'active') {
          if (bar) {
            bar.update(d.size ?? d.bytesDone, payload);
            bars.remove(bar);
            byId.delete(d.id);
          }
          continue;
        }
        if (!bar) {
          bar = bars.create(d.size ?? 0, d.bytesDone, payload);
          byId.set(d.id, bar);
        }
        bar.setTotal(d.size ?? Math.max(d.bytesDone, 1));
        bar.update(d.bytesDone, payload);
      }
    },
    stop() {
      bars.stop();
    },
  };
}

/** Plain lines for logs and pipes: a progress line per download every few seconds, and each outcome. */
export function linesView(stream: NodeJS.WritableStream, everyMs = 5000): ProgressView {
  const lastPrinted = new Map<number, number>();
  const told = new Set<number>();
  return {
    onEvent(event) {
      if (event.type === 'snapshot') for (const d of seamChecked(event.downloads, told)) stream.write(`note #${d.id} ${d.name ?? d.url}: ${SEAM_CHECK}\n`);
      if (event.type === 'completed') stream.write(`completed #${event.id} ${event.path}\n`);
      if (event.type !== 'snapshot') return;
      const now = Date.now();
      for (const d of event.downloads) {
        if (d.status !== 'active') continue;
        // The first line waits a full interval, so it shows a measured speed rather than 0.
        if (!lastPrinted.has(d.id)) lastPrinted.set(d.id, now);
        if (now - lastPrinted.get(d.id)! < everyMs) continue;
        lastPrinted.set(d.id, now);
        const pct = d.size ? ` ${((d.bytesDone / d.size) * 100).toFixed(1)}%` : '';
        stream.write(`progress #${d.id} ${d.name ?? d.url}${pct} ${formatBytes(d.bytesDone)} ${formatRate(d.speed)}\n`);
      }
    },
    stop() {},
  };
}
