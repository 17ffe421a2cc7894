import { CircleAlert, CircleCheck, Copy, LoaderCircle } from 'lucide-react';
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
  if (urls.length === 0) return null;
  return (
    <ul className="preview-list" aria-label="What will be added">
      {urls.map((url) => {
        const a = answers.get(url);
        const refusal = refusedByAdd.get(url) ?? (a && !a.ok ? `${a.error.message} — ${errorAdvice(a.error).next}` : null);
        const existing = a?.existing ?? null;
        return (
          <li key={url} className={refusal ? 'refused' : existing ? 'duplicate' : ''} data-url={url}>
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
                    <input type="radio" name={`dup-${url}`} checked={(choices.get(url) ?? 'skip') === 'skip'} onChange={() => onChoose(url, 'skip')} /> Skip
                  </label>
                  <label>
                    <input type="radio" name={`dup-${url}`} checked={choices.get(url) === 'again'} onChange={() => onChoose(url, 'again')} /> Download again
                  </label>
                </span>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
