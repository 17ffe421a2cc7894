import cliProgress from 'cli-progress';
import stringWidth from 'string-width';
import { formatBytes, formatDuration, formatRate } from '../../shared/format';
import { maskUrlPassword } from '../../shared/header-mask';
import { runningNote } from '../../shared/status-words';
import { SEAM_NOTE, seamChecked, type ProgressView } from './progress';

/** What one bar's line says; `fitLine` lays it out in the terminal's width. */
export interface BarText {
  name: string;
  /** 0 to 1. */
  progress: number;
  done: string;
  size: string;
  /** Speed and time left, or the finishing step. */
  state: string;
  conns: number;
}

/**
 * One line narrower than `width` columns (a bar line that wraps breaks the redraw). What matters most gets room
 * first: percentage and speed (or the finishing step), then up to 12 columns of the name, the sizes, a bar of 10, the
 * connections; what is left widens the name and then the bar, each to 40.
 */
export function fitLine(t: BarText, width: number): string {
  const columns = Math.max(width - 1, 12);
  let room = columns;
  const pct = `${String(Math.floor(t.progress * 100)).padStart(3)}%`;
  const sizes = `${t.done}/${t.size}`;
  const conns = `${t.conns}c`;
  room -= pct.length + 1 + t.state.length;
  const take = (columns: number): boolean => {
    if (columns > room) return false;
    room -= columns;
    return true;
  };
  // Where 12 columns do not fit, a shorter name still says which download the line is.
  const shortName = room - 1;
  let nameWidth = take(13) ? 12 : shortName >= 6 && take(room) ? shortName : 0;
  const showSizes = take(sizes.length + 1);
  let barWidth = take(11) ? 10 : 0;
  const showConns = take(conns.length + 1);
  const name = nameWidth > 0 ? t.name : '';
  const moreName = nameWidth > 0 ? Math.min(40 - nameWidth, room) : 0;
  nameWidth += moreName;
  room -= moreName;
  if (barWidth > 0) barWidth += Math.min(30, room);
  const filled = Math.round(Math.min(Math.max(t.progress, 0), 1) * barWidth);
  const parts = [
    nameWidth > 0 ? clip(name, nameWidth) : null,
    barWidth > 0 ? '\u2588'.repeat(filled) + '\u2591'.repeat(barWidth - filled) : null,
    pct,
    showSizes ? sizes : null,
    t.state,
    showConns ? conns : null,
  ];
  // Narrower than the percentage and the speed themselves: what does not fit is cut, never wrapped.
  return cut(parts.filter((p) => p !== null).join(' '), columns);
}

/**
 * `text` in exactly `width` terminal columns: cut with an ellipsis, or padded. Counted in columns, not
 * characters: a CJK character or an emoji takes two, a combining mark none.
 */
function clip(text: string, width: number): string {
  const columns = stringWidth(text);
  if (columns <= width) return text + ' '.repeat(width - columns);
  const kept = cut(text, width - 1);
  return `${kept}\u2026${' '.repeat(width - 1 - stringWidth(kept))}`;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The start of `text` that fits in `width` columns, cut between whole characters as a person sees them (a letter
 * with its accents, a flag, an emoji sequence), never inside one.
 */
function cut(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width) break;
    kept += segment;
    used += w;
  }
  return kept;
}

// Loaded only when stdout is a terminal: pipes and logs (and benchmarks) never pay for the bar library.
/** Live bars on a terminal, one per running download. */
export function barsView(stream: NodeJS.WriteStream): ProgressView {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      // Laid out anew at each redraw, so a terminal made narrower or wider gets lines that fit it.
      format: (_options: unknown, params: { progress: number; maxWidth: number }, payload: Omit<BarText, 'progress'>) =>
        fitLine({ ...payload, progress: params.progress }, params.maxWidth),
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const byId = new Map<number, cliProgress.SingleBar>();
  const told = new Set<string>();
  // Once stopped (an interrupt ends the bars before saying so), events of the stop draw nothing more.
  let stopped = false;
  return {
    onEvent(event) {
      if (stopped) return;
      if (event.type === 'snapshot') for (const d of seamChecked(event.downloads, told)) bars.log(`note   ${d.name ?? maskUrlPassword(d.url)}: ${SEAM_NOTE}\n`);
      if (event.type === 'completed') bars.log(`done   ${event.path}\n`);
      if (event.type === 'failed') bars.log(`failed #${event.id}: ${event.error.message}\n`);
      if (event.type !== 'snapshot') return;
      for (const d of event.downloads) {
        const payload: Omit<BarText, 'progress'> = {
          name: d.name ?? maskUrlPassword(d.url),
          done: formatBytes(d.bytesDone),
          size: d.size === null ? '?' : formatBytes(d.size),
          state: runningNote(d) ?? `${formatRate(d.speed).padStart(11)} eta ${formatDuration(d.eta)}`,
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
      if (stopped) return;
      stopped = true;
      bars.stop();
    },
  };
}
