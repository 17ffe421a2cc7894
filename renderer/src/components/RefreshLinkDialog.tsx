import * as Dialog from '@radix-ui/react-dialog';
import { Link2, MousePointerClick, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import type { BraidApi } from '../../../shared/api';
import { displayName } from '../../../shared/file-category';
import { formatBytes } from '../../../shared/format';
import { withoutCommand } from '../../../shared/status-words';
import type { DownloadSnapshot, LinkCatch, LinkProof, RefreshResult } from '../../../shared/types';

/**
 * What happened to the last attempt: nothing yet, checking, waiting for the browser's next download, done, a
 * different file refused, or another error. `caught`: the link came from the browser's download, not the field
 * (the browser keeps a refused one, and starting over from it is not offered: Braid never saw its cookies here).
 */
type Outcome =
  | { kind: 'idle' }
  | { kind: 'checking'; startOver: boolean }
  | { kind: 'waiting'; until: number }
  | { kind: 'done'; result: RefreshResult; caught?: boolean }
  | { kind: 'different'; message: string; url: string | null }
  | { kind: 'error'; message: string };

const PROOF_WORDS: Record<LinkProof, string> = {
  validator: 'The server vouches for it: the same size and the same ETag as the bytes already downloaded.',
  samples: 'Samples of the bytes already downloaded read the same from the new link.',
  'nothing-on-disk': 'Nothing had been downloaded yet, so there was nothing to compare.',
  'start-over': 'Started over: the download takes the new link’s file from the beginning.',
};

const sentence = (text: string) => {
  const t = text.trim().replace(/\.$/, '');
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}.`;
};

/** Why `text` cannot be sent as a new link, in words; null when it can be asked about. */
function linkProblem(text: string): string | null {
  if (text === '') return 'Paste the new link to the file.';
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? null : 'Enter a web address starting with http:// or https://.';
  } catch {
    return 'This is not a web address. Paste the whole link, starting with https://.';
  }
}

/** The engine's refusal of a link, in the dialog's words. */
function refusal(error: { code?: string; message: string }, url: string | null): Outcome {
  const message = withoutCommand(error.message);
  if (error.code === 'CANNOT_RESUME') return { kind: 'different', message: sentence(message.replace(/^the new link gives a different file:\s*/i, '')), url };
  return { kind: 'error', message: `${message.replace(/\.$/, '')}.` };
}

const clockTime = (at: number) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * Gives a paused or failed download a fresh link (its old one expired). Braid proves the new link serves the
 * same file before keeping the bytes on disk; a different file is refused with nothing changed, and only then
 * is starting over offered.
 */
export function RefreshLinkDialog(props: { api: BraidApi; target: DownloadSnapshot | null; onClose: () => void; onRefreshed: () => void }) {
  const { api, target, onClose, onRefreshed } = props;
  const [url, setUrl] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  // A proof can take a while; its answer is dropped when the dialog was closed or opened for another download since.
  const opening = useRef(0);
  // The download a catch is armed for from this dialog: called off when the dialog closes or turns to another.
  const waitingFor = useRef<number | null>(null);
  const refreshed = useRef(onRefreshed);
  refreshed.current = onRefreshed;
  useEffect(() => {
    opening.current++;
    setUrl('');
    setFieldError(null);
    setOutcome({ kind: 'idle' });
    return () => {
      if (waitingFor.current === null) return;
      void api.cancelCatch(waitingFor.current).catch(() => undefined);
      waitingFor.current = null;
    };
  }, [api, target]);

  // The catch's fate comes as an event: the browser's download became the link, was another file, or none came.
  const targetId = target?.id ?? null;
  useEffect(() => {
    if (targetId === null) return;
    return api.onEvent((event) => {
      if (event.type !== 'catch' || event.catch.id !== targetId || waitingFor.current !== targetId) return;
      const change: LinkCatch = event.catch;
      if (change.state === 'armed') return;
      if (change.state === 'checking') {
        setOutcome({ kind: 'checking', startOver: false });
        return;
      }
      waitingFor.current = null;
      if (change.state === 'used') {
        refreshed.current();
        setOutcome({ kind: 'done', result: change.result, caught: true });
      } else if (change.state === 'refused') {
        setOutcome(refusal(change.error, null));
      } else if (change.state === 'expired') {
        setOutcome({ kind: 'error', message: 'no download came from the browser in time. Catch again, or paste the link.' });
      } else {
        setOutcome({ kind: 'idle' });
      }
    });
  }, [api, targetId]);

  const catchNext = async () => {
    if (!target) return;
    setFieldError(null);
    const asked = opening.current;
    try {
      const armed = await api.catchLink(target.id);
      if (asked !== opening.current) {
        void api.cancelCatch(target.id).catch(() => undefined);
        return;
      }
      waitingFor.current = target.id;
      setOutcome({ kind: 'waiting', until: armed.until });
    } catch (error) {
      if (asked === opening.current) setOutcome(refusal(error as Error & { code?: string }, null));
    }
  };

  const stopWaiting = () => {
    if (waitingFor.current !== null) void api.cancelCatch(waitingFor.current).catch(() => undefined);
    waitingFor.current = null;
    setOutcome({ kind: 'idle' });
  };

  const send = async (startOver: boolean, link = url.trim()) => {
    if (!target) return;
    const problem = linkProblem(link);
    setFieldError(problem);
    if (problem) return;
    setOutcome({ kind: 'checking', startOver });
    const asked = opening.current;
    try {
      const result = await api.refreshLink(target.id, link, { startOver });
      onRefreshed();
      if (asked === opening.current) setOutcome({ kind: 'done', result });
    } catch (error) {
      if (asked !== opening.current) return;
      setOutcome(refusal(error as Error & { code?: string }, link));
    }
  };

  const name = target ? displayName(target) : '';
  const checking = outcome.kind === 'checking';
  const done = outcome.kind === 'done';
  const waiting = outcome.kind === 'waiting';
  return (
    <Dialog.Root open={target !== null} onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog refresh-dialog" aria-describedby="refresh-help">
          <div className="dialog-head">
            <Dialog.Title>Refresh link of “{name}”</Dialog.Title>
            <Dialog.Close className="icon-button" aria-label="Close">
              <X size={16} aria-hidden />
            </Dialog.Close>
          </div>
          <Dialog.Description id="refresh-help" className="dialog-help">
            Copy the link again from the page that offered the file and paste it here.{' '}
            {(target?.bytesDone ?? 0) > 0
              ? `Braid checks it is the same file before going on from the ${formatBytes(target!.bytesDone)} already downloaded.`
              : 'Nothing was downloaded yet, so the download simply goes on from the new link.'}
          </Dialog.Description>
          <form
            className="refresh-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (!done && !checking && !waiting) void send(false);
            }}
          >
            <label className={`form-field${fieldError ? ' invalid' : ''}`}>
              <span className="field-label" id="refresh-url-label">
                New link
              </span>
              <input
                type="url"
                value={url}
                placeholder="https://…"
                spellCheck={false}
                autoFocus
                readOnly={done || checking || waiting}
                onChange={(e) => {
                  setUrl(e.target.value);
                  setFieldError(null);
                  setOutcome({ kind: 'idle' });
                }}
                aria-invalid={fieldError ? true : undefined}
                aria-labelledby="refresh-url-label"
                aria-describedby="refresh-url-help"
              />
              <span id="refresh-url-help" className={fieldError ? 'field-error' : 'field-hint'}>
                {fieldError ?? 'Links that expire often carry a signature or token; a fresh one works again for a while.'}
              </span>
            </label>
          </form>
          {!done && !waiting && (
            <div className="refresh-catch">
              <p id="refresh-catch-help" className="field-hint">
                No link to copy? Braid can take the browser’s next download of this file (the same name or size) as its new link.
              </p>
              <button type="button" className="button" disabled={checking} aria-describedby="refresh-catch-help" onClick={() => void catchNext()}>
                <MousePointerClick size={15} aria-hidden /> Catch the next download from the browser
              </button>
            </div>
          )}
          <RefreshOutcome outcome={outcome} kept={target?.bytesDone ?? 0} onStartOver={(link) => void send(true, link)} onStopWaiting={stopWaiting} />
          <div className="dialog-buttons">
            {done ? (
              <Dialog.Close className="button primary" autoFocus>
                Close
              </Dialog.Close>
            ) : (
              <>
                <Dialog.Close className="button">Cancel</Dialog.Close>
                <button className="button primary" disabled={checking || waiting} onClick={() => void send(false)}>
                  <Link2 size={15} aria-hidden /> {checking && !outcome.startOver ? 'Checking…' : 'Check and continue'}
                </button>
              </>
            )}
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function RefreshOutcome(props: { outcome: Outcome; kept: number; onStartOver: (url: string) => void; onStopWaiting: () => void }) {
  const { outcome, kept, onStartOver, onStopWaiting } = props;
  if (outcome.kind === 'waiting') {
    return (
      <div className="refresh-outcome waiting" role="status">
        <strong>Waiting for the browser…</strong>
        <p>Click the site’s download button again. Braid checks the browser’s download is the same file and goes on from it instead of adding it (until {clockTime(outcome.until)}).</p>
        <button type="button" className="button" onClick={onStopWaiting}>
          Stop waiting
        </button>
      </div>
    );
  }
  if (outcome.kind === 'checking') {
    return (
      <p className="refresh-outcome" role="status">
        {outcome.startOver ? 'Starting over from the new link…' : 'Checking that the new link serves the same file…'}
      </p>
    );
  }
  if (outcome.kind === 'done') {
    const { proof, kept: keptNow } = outcome.result;
    return (
      <div className="refresh-outcome ok" role="status">
        <strong>{proof === 'start-over' ? 'Starting over from the new link.' : 'Same file: the download goes on from the new link.'}</strong>
        <p>{PROOF_WORDS[proof]}</p>
        {proof !== 'start-over' && <p>{keptNow > 0 ? `${formatBytes(keptNow)} already downloaded kept.` : 'Nothing to keep.'}</p>}
        {outcome.caught && <p>The link came from the browser’s download, which the browser cancelled.</p>}
      </div>
    );
  }
  if (outcome.kind === 'different') {
    return (
      <div className="refresh-outcome refused" role="alert">
        <strong>{outcome.url === null ? 'The browser’s download is a different file.' : 'This link gives a different file.'}</strong>
        <p>{outcome.message}</p>
        {outcome.url === null ? (
          <p>The browser keeps its download.</p>
        ) : (
          <>
            <p>Starting over downloads the new link’s file from the beginning{kept > 0 ? ` and discards the ${formatBytes(kept)} already downloaded` : ''}.</p>
            <button className="button danger" onClick={() => onStartOver(outcome.url!)}>
              Start over from this link
            </button>
          </>
        )}
      </div>
    );
  }
  if (outcome.kind === 'error') {
    return (
      <p className="refresh-outcome refused" role="alert">
        Braid could not use this link: {outcome.message}
      </p>
    );
  }
  return null;
}
