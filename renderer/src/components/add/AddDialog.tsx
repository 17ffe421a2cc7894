import * as Dialog from '@radix-ui/react-dialog';
import { FileUp, X } from 'lucide-react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { BraidApi } from '../../../../shared/api';
import type { ImportReport } from '../../../../shared/types';
import { lineCount, NO_OPTIONS, parseAddOptions, urlLines, type AddOptionsText } from '../../../../shared/add-options';
import { focusListOnClose } from '../../focus-list';
import { AddOptions } from './AddOptions';
import { PreviewList, type DuplicateChoice } from './PreviewList';
import { useAddPreview } from './useAddPreview';

export interface AddSeed {
  /** URLs to offer (pasted, dropped); never started before the person says so. */
  text: string;
  /** A list file chosen or dropped: imported through the same options, with a per-line report. */
  file?: { name: string; text: string };
}

/**
 * Add downloads: paste URLs (each is asked about first and shown with its name and size, a duplicate with a
 * choice, a refusal kept and marked) or import a list file; then Start now (ahead of what waits) or Queue.
 */
export function AddDialog(props: { api: BraidApi; inApp: boolean; seed: AddSeed | null; defaultFolder: string; onClose: () => void; onAdded: (count: number) => void; onShow: (id: number) => void }) {
  const { api, inApp, seed, defaultFolder, onClose, onAdded, onShow } = props;
  const [text, setText] = useState('');
  const [file, setFile] = useState<AddSeed['file'] | null>(null);
  const [report, setReport] = useState<(ImportReport & { file: string }) | null>(null);
  const [fields, setFields] = useState<AddOptionsText>(NO_OPTIONS);
  const [choices, setChoices] = useState<Map<string, DuplicateChoice>>(new Map());
  const [refusedByAdd, setRefusedByAdd] = useState<Map<string, string>>(new Map());
  const [showErrors, setShowErrors] = useState(false);
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  // How many the last Queue or Start now added while lines stayed behind: the note says so, or the dialog would read
  // as if nothing had happened.
  const [justAdded, setJustAdded] = useState(0);
  // Each opening starts clean: a speed limit typed for one add does not stick to the next.
  useEffect(() => {
    if (!seed) return;
    setText(seed.text);
    setFile(seed.file ?? null);
    setReport(null);
    setFields(NO_OPTIONS);
    setChoices(new Map());
    setRefusedByAdd(new Map());
    setShowErrors(false);
    setProblem('');
    setJustAdded(0);
  }, [seed]);

  const { urls, repeated } = useMemo(() => urlLines(text), [text]);
  const choose = useCallback((url: string, choice: DuplicateChoice) => setChoices((prev) => new Map(prev).set(url, choice)), []);
  const { answers, pending, checked } = useAddPreview(api, file ? [] : urls);
  const parsed = parseAddOptions(fields);
  const hasErrors = Object.keys(parsed.errors).length > 0;
  const toAdd = urls.filter((u) => {
    const a = answers.get(u);
    return a?.ok && !refusedByAdd.has(u) && (!a.existing || choices.get(u) === 'again');
  });

  const submit = async (startNow: boolean) => {
    setShowErrors(true);
    if (hasErrors) return;
    setBusy(true);
    setProblem('');
    try {
      if (file) {
        const r = await api.importList(file.text, { ...(parsed.folder ? { folder: parsed.folder } : {}) });
        setReport({ ...r, file: file.name });
        if (r.added > 0) onAdded(r.added);
        return;
      }
      if (toAdd.length === 0) return;
      const results = await api.add(
        toAdd.map((url) => {
          // The size the check found shows on the waiting row; the download's own first answer decides.
          const seen = answers.get(url);
          const expectedSize = seen?.ok ? seen.size : null;
          return { url, ...(parsed.folder ? { folder: parsed.folder } : {}), options: parsed.options, ...(expectedSize !== null ? { expectedSize } : {}) };
        }),
      );
      if (startNow) {
        // Ahead of what waits, in the order given, by place in the queue rather than by priority: a priority would
        // keep them ahead for good, and "Move to top" on another download could never pass them.
        const ids = results.flatMap((r) => (r.ok ? [r.id] : []));
        for (const id of ids.reverse()) await api.move(id, 'top');
      }
      const refused = new Map(refusedByAdd);
      results.forEach((r, i) => !r.ok && refused.set(toAdd[i]!, r.error.message));
      const added = new Set(toAdd.filter((_, i) => results[i]!.ok));
      setRefusedByAdd(refused);
      // What was added leaves the box; refused lines and skipped duplicates stay, marked.
      const left = urls.filter((u) => !added.has(u));
      setText(left.join('\n'));
      if (added.size > 0) onAdded(added.size);
      if (left.length === 0) onClose();
      else setJustAdded(added.size);
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const chooseFile = async (input: HTMLInputElement) => {
    const f = input.files?.[0];
    if (f) setFile({ name: f.name, text: await f.text() });
    setReport(null);
    input.value = '';
  };

  const ready = file ? !report : toAdd.length > 0 && !pending;
  return (
    <Dialog.Root open={seed !== null} onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content
          className="dialog add-dialog"
          aria-describedby="add-help"
          // Ctrl+N, a paste or a drop leave no button to go back to.
          onCloseAutoFocus={focusListOnClose}
        >
          <div className="dialog-head">
            <Dialog.Title>Add downloads</Dialog.Title>
            <Dialog.Close className="icon-button" aria-label="Close">
              <X size={16} aria-hidden />
            </Dialog.Close>
          </div>
          <p id="add-help" className="dialog-help">
            Paste links, one a line. Braid asks each server for the file's name and size before anything starts.
          </p>
          {file ? (
            <div className="import-file">
              <FileUp size={16} aria-hidden /> <span>List file <strong>{file.name}</strong> ({lineCount(file.text).toLocaleString()} lines)</span>
              <button type="button" className="link" onClick={() => (setFile(null), setReport(null))}>
                Paste links instead
              </button>
            </div>
          ) : (
            <textarea className="add-urls" aria-label="URLs to add" placeholder="https://example.com/file.iso" value={text} onChange={(e) => setText(e.target.value)} rows={4} autoFocus />
          )}
          <label className="import-button">
            <FileUp size={15} aria-hidden /> Import a list file…
            <input type="file" accept=".txt,text/plain" aria-label="Import list" onChange={(e) => void chooseFile(e.target)} />
          </label>
          {!file && <PreviewList urls={urls} answers={answers} choices={choices} onChoose={choose} onShow={onShow} refusedByAdd={refusedByAdd} />}
          {report && (
            <div className="report" role="status" aria-label="Import report">
              <p>
                {report.file}: {report.added.toLocaleString()} added, {report.refused.toLocaleString()} refused
              </p>
              {report.problems.length > 0 && (
                <ul>
                  {report.problems.map((p) => (
                    <li key={p.line}>
                      line {p.line}: {p.message}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <AddOptions value={fields} onChange={setFields} errors={showErrors ? parsed.errors : {}} defaultFolder={defaultFolder} onBrowse={inApp ? (start) => api.chooseFolder(start) : undefined} />
          {problem && (
            <p className="form-problem" role="alert">
              {problem}
            </p>
          )}
          <div className="dialog-buttons">
            <span className="dialog-note" aria-live="polite">
              {!file && justAdded > 0 && `${justAdded.toLocaleString()} added · `}
              {file ? '' : pending && urls.length > 0 ? `Checking links… ${checked.toLocaleString()} of ${urls.length.toLocaleString()}` : justAdded > 0 && toAdd.length === 0 ? `${urls.length.toLocaleString()} left here, not added` : `${toAdd.length} of ${urls.length} will be added`}
              {!file && repeated > 0 && ` · ${repeated.toLocaleString()} repeated ${repeated === 1 ? 'line' : 'lines'} taken once`}
            </span>
            <Dialog.Close className="button">{report ? 'Close' : 'Cancel'}</Dialog.Close>
            <button className="button" disabled={!ready || busy} onClick={() => void submit(false)}>
              {file ? 'Import' : 'Queue'}
            </button>
            {!file && (
              <button className="button primary" disabled={!ready || busy} onClick={() => void submit(true)}>
                Start now
              </button>
            )}
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
