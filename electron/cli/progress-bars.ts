import cliProgress from 'cli-progress';
import { formatBytes, formatDuration, formatRate } from '../../shared/format';
import { finishingText } from '../../shared/status-words';
import { SEAM_CHECK } from '../../shared/verification';
import { label, seamChecked, type ProgressView } from './progress';

// Loaded only when stdout is a terminal: pipes and logs (and benchmarks) never pay for the bar library.
/** Live bars on a terminal, one per running download. */
export function barsView(stream: NodeJS.WriteStream): ProgressView {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: '{name} {bar} {percentage}% {done}/{size} {state} {conns}c',
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
          state: d.finishing ? finishingText(d.finishing) : `${formatRate(d.speed).padStart(11)} eta ${formatDuration(d.eta)}`,
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
