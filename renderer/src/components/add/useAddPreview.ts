import { useEffect, useRef, useState } from 'react';
import type { BraidApi } from '../../../../shared/api';
import { MAX_PREVIEW } from '../../../../shared/limits';
import type { PreviewResult } from '../../../../shared/types';

/**
 * Asks the engine about each URL typed or pasted, shortly after the typing stops: name, size, and whether Braid
 * already has it. Answers are kept per URL, so editing one line does not ask about the others again. A paste of
 * more than one call's worth is asked about a call at a time, each as soon as the one before has answered.
 */
export function useAddPreview(api: BraidApi, urls: string[]) {
  const [answers, setAnswers] = useState<Map<string, PreviewResult>>(new Map());
  const [asking, setAsking] = useState(0);
  // Counts the answered calls: one answered, the effect looks again for what is left to ask.
  const [answered, setAnswered] = useState(0);
  const asked = useRef(new Set<string>());
  const current = useRef(urls);
  current.current = urls;
  // The joined text, not the array (a new one each render), decides when to ask again.
  const key = urls.join('\n');
  // The text whose lines did not fit in the last call: its next call goes at once, anything typed waits for a pause.
  const continuing = useRef<string | null>(null);
  useEffect(() => {
    const unasked = current.current.filter((u) => !asked.current.has(u));
    const fresh = unasked.slice(0, MAX_PREVIEW);
    if (fresh.length === 0) return;
    const delay = continuing.current === key ? 0 : 350;
    const timer = setTimeout(() => {
      continuing.current = unasked.length > fresh.length ? key : null;
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
          // Marked with the reason and asked again after the next edit; the calls for the rest of a long paste
          // stop here, so a call that keeps failing does not loop.
          (error: Error) => {
            for (const u of fresh) asked.current.delete(u);
            continuing.current = null;
            keep(fresh.map((url) => ({ ok: false, url, error: { code: 'INTERNAL', message: error.message }, existing: null })));
          },
        )
        .then(() => continuing.current === key && setAnswered((n) => n + 1))
        .finally(() => setAsking((n) => n - 1));
    }, delay);
    return () => clearTimeout(timer);
  }, [api, key, answered]);

  const checked = urls.reduce((n, u) => n + (answers.has(u) ? 1 : 0), 0);
  const pending = checked < urls.length || asking > 0;
  return { answers, pending, checked };
}
