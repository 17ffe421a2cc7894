import { useState } from 'react';
import type { BraidApi } from '../../../shared/api';
import { parseByteSize } from '../../../shared/byte-size';
import { parseChecksum } from '../../../shared/checksum';
import { CONNECTIONS } from '../../../shared/limits';
import type { DownloadOptions } from '../../../shared/types';

/** Paste many URLs, one a line, with a folder, segments and a speed limit; refused ones come back with why. */
export function AddForm({ api, onAdded }: { api: BraidApi; onAdded: () => void }) {
  const [text, setText] = useState('');
  const [folder, setFolder] = useState('');
  const [segments, setSegments] = useState('');
  const [limit, setLimit] = useState('');
  const [checksum, setChecksum] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const submit = async () => {
    const urls = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    if (urls.length === 0) return;
    const options: DownloadOptions = {};
    if (segments) options.segments = Number(segments);
    if (limit) {
      const rate = parseByteSize(limit);
      if (rate === null) {
        setProblems([`speed limit ${JSON.stringify(limit)}: use a rate such as 500K or 2M`]);
        return;
      }
      options.speedLimit = rate;
    }
    if (checksum) {
      try {
        options.checksum = parseChecksum(checksum);
      } catch (error) {
        setProblems([(error as Error).message]);
        return;
      }
    }
    try {
      const results = await api.add(urls.map((url) => ({ url, ...(folder ? { folder } : {}), options })));
      setProblems(results.flatMap((r) => (r.ok ? [] : [`${r.url}: ${r.error.message}`])));
      setText('');
      onAdded();
    } catch (error) {
      setProblems([(error as Error).message]);
    }
  };
  return (
    <div className="add">
      <textarea aria-label="URLs to add" placeholder="Paste URLs, one a line (or drop them, or a .txt list, on the window)" value={text} onChange={(e) => setText(e.target.value)} rows={3} />
      <div className="add-options">
        <input aria-label="Folder" placeholder="Folder (default from settings)" value={folder} onChange={(e) => setFolder(e.target.value)} />
        <input aria-label="Segments" placeholder="Segments" type="number" min={CONNECTIONS.min} max={CONNECTIONS.max} value={segments} onChange={(e) => setSegments(e.target.value)} />
        <input aria-label="Speed limit" placeholder="Limit, e.g. 2M" value={limit} onChange={(e) => setLimit(e.target.value)} />
        <input aria-label="Checksum" placeholder="Checksum, e.g. sha-256=…" value={checksum} onChange={(e) => setChecksum(e.target.value)} />
        <button onClick={() => void submit()}>Add</button>
      </div>
      {problems.length > 0 && (
        <ul className="problems" aria-label="Refused">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
