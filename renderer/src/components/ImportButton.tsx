import { useRef, useState } from 'react';
import type { BraidApi } from '../../../shared/api';
import type { ImportReport } from '../../../shared/types';

/** Imports a list file (plain or aria2 format) and shows which lines were refused and why. */
export function ImportButton({ api, onImported }: { api: BraidApi; onImported: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [report, setReport] = useState<(ImportReport & { file: string }) | null>(null);
  const pick = async (file: File | undefined) => {
    if (!file) return;
    const result = await api.importList(await file.text(), {});
    setReport({ ...result, file: file.name });
    onImported();
    if (input.current) input.current.value = '';
  };
  return (
    <div className="import">
      <label className="button">
        Import list…
        <input ref={input} type="file" accept=".txt,.list,text/plain" hidden aria-label="Import list" onChange={(e) => void pick(e.target.files?.[0])} />
      </label>
      {report && (
        <div className="report" role="status" aria-label="Import report">
          {report.file}: {report.added} added, {report.refused} refused
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
    </div>
  );
}
