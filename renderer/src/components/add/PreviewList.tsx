import { useVirtualizer } from '@tanstack/react-virtual';
import { CircleAlert, CircleCheck, Copy, LoaderCircle } from 'lucide-react';
import { memo, useRef } from 'react';
import { formatBytes } from '../../../../shared/format';
import type { PreviewResult } from '../../../../shared/types';
import { errorAdvice, STATUS_WORDS } from '../../../../shared/status-words';

export type DuplicateChoice = 'skip' | 'again';

/**
 * One line per URL of the Add box: what the server says it is (name, size), a refusal kept and marked with why,
 * or the download Braid already has for it with the choice of what to do.
 */
export function PreviewList(props: {
  urls: string[];
  answers: Map<string, PreviewResult>;
  choices: Map<string, DuplicateChoice>;
  onChoose: (url: string, choice: DuplicateChoice) => void;
  onShow: (id: number) => void;
  refusedByAdd: Map<string, string>;
}) {
  const { urls, answers, choices, onChoose, onShow, refusedByAdd } = props;
  // A paste of thousands of links is checked a call at a time; only the lines in view are drawn, so each answer
  // and each key typed costs what a screenful costs. Lines differ in height (a refusal, a duplicate's choice), so
  // each is measured once drawn.
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: urls.length, getScrollElement: () => scroller.current, estimateSize: () => LINE_HEIGHT, overscan: 6, getItemKey: (i) => urls[i]! });
  if (urls.length === 0) return null;
  return (
    <div className="preview-scroll" ref={scroller}>
      <ul className="preview-list" aria-label="What will be added" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((line) => {
          const url = urls[line.index]!;
          return (
            <PreviewLine
              key={url}
              url={url}
              index={line.index}
              count={urls.length}
              start={line.start}
              measure={virtualizer.measureElement}
              answer={answers.get(url)}
              choice={choices.get(url) ?? 'skip'}
              refusedByAdd={refusedByAdd.get(url)}
              onChoose={onChoose}
              onShow={onShow}
            />
          );
        })}
      </ul>
    </div>
  );
}

/** A line without a refusal or a choice: icon, name, size. */
const LINE_HEIGHT = 45;

const PreviewLine = memo(function PreviewLine(props: {
  url: string;
  index: number;
  count: number;
  start: number;
  measure: (element: Element | null) => void;
  answer: PreviewResult | undefined;
  choice: DuplicateChoice;
  refusedByAdd: string | undefined;
  onChoose: (url: string, choice: DuplicateChoice) => void;
  onShow: (id: number) => void;
}) {
  const { url, index, count, start, measure, answer: a, choice, refusedByAdd, onChoose, onShow } = props;
  const refusal = refusedByAdd ?? (a && !a.ok ? `${a.error.message} — ${errorAdvice(a.error).next}` : null);
  const existing = a?.existing ?? null;
  return (
    <li
      ref={measure}
      data-index={index}
      aria-setsize={count}
      aria-posinset={index + 1}
      style={{ transform: `translateY(${start}px)` }}
      className={refusal ? 'refused' : existing ? 'duplicate' : ''}
      data-url={url}
    >
      {!a ? (
        <LoaderCircle size={16} className="spin" aria-label="Checking" />
      ) : refusal ? (
        <CircleAlert size={16} aria-label="Refused" />
      ) : existing ? (
        <Copy size={16} aria-label="Already known" />
      ) : (
        <CircleCheck size={16} aria-label="Ready" />
      )}
      <div className="preview-main">
        <span className="preview-name">{a?.ok ? a.name : url}</span>
        {a?.ok && <span className="preview-size">{a.size === null ? 'size unknown' : formatBytes(a.size)}{a.resumable ? '' : ' · cannot resume'}</span>}
        {refusal && <span className="preview-problem">Refused: {refusal}</span>}
        {existing && (
          <span className="preview-duplicate" role="group" aria-label={`Already known: ${a?.ok ? a.name : url}`}>
            {existing.status === 'completed' ? 'Already downloaded' : `Already in the list (${STATUS_WORDS[existing.status].toLowerCase()})`}
            <button type="button" className="link" onClick={() => onShow(existing.id)}>
              Show it
            </button>
            <label>
              <input type="radio" name={`dup-${url}`} checked={choice === 'skip'} onChange={() => onChoose(url, 'skip')} /> Skip
            </label>
            <label>
              <input type="radio" name={`dup-${url}`} checked={choice === 'again'} onChange={() => onChoose(url, 'again')} /> Download again
            </label>
          </span>
        )}
      </div>
    </li>
  );
});
