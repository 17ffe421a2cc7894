import { useState } from 'react';
import type { BraidApi } from '../../../shared/api';

/** Paste many URLs, one a line; refused ones come back with the reason. */
export function AddForm({ api, onAdded }: { api: BraidApi; onAdded: () => void }) {
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const submit = async () => {
    const urls = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    if (urls.length === 0) return;
    const results = await api.add(urls.map((url) => ({ url })));
    setProblems(results.flatMap((r) => (r.ok ? [] : [`${r.url}: ${r.error.message}`])));
    setText('');
    onAdded();
  };
  return (
    <div className="add">
      <textarea aria-label="URLs to add" placeholder="Paste URLs, one a line" value={text} onChange={(e) => setText(e.target.value)} rows={3} />
      <button onClick={() => void submit()}>Add</button>
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
