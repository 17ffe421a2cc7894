import { useEffect, useRef, useState } from 'react';
import type { BraidApi } from '../../../../shared/api';
import { MAX_PREVIEW } from '../../../../shared/limits';
import type { PreviewResult } from '../../../../shared/types';

/**
 * Asks the engine about each URL typed or pasted, shortly after the typing stops: name, size, and whether Braid
 * already has it. Answers are kept per URL, so editing one line does not ask about the others again.
 */
export function useAddPreview(api: BraidApi, urls: string[]) {
  const [answers, setAnswers] = useState<Map<string, PreviewResult>>(new Map());
  const [asking, setAsking] = useState(0);
  const asked = useRef(new Set<string>());
  const current = useRef(urls);
  current.current = urls;
  // The joined text, not the array (a new one each render), decides when to ask again.
  const key = urls.join('\n');
  useEffect(() => {
    const fresh = current.current.filter((u) => !asked.current.has(u)).slice(0, MAX_PREVIEW);
    if (fresh.length === 0) return;
    const timer = setTimeout(() => {
      for (const u of fresh) asked.current.add(u);
      setAsking((n) => n + 1);
      const keep = (results: PreviewResult[]) =>
        setAnswers((prev) => {
          const next = new Map(prev);
          results.forEach((r) => next.set(r.url, r));
          return next;
        });
      api
        .preview(fresh)
        .then(
          (results) => keep(results.map((r, i) => ({ ...r, url: fresh[i]! }))),
          (error: Error) => {
            for (const u of fresh) asked.current.delete(u);
            keep(fresh.map((url) => ({ ok: false, url, error: { code: 'INTERNAL', message: error.message }, existing: null })));
          },
        )
        .finally(() => setAsking((n) => n - 1));
    }, 350);
    return () => clearTimeout(timer);
  }, [api, key]);

  const pending = urls.some((u) => !answers.has(u)) || asking > 0;
  return { answers, pending };
}
