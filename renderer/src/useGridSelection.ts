import { useCallback, useEffect, useRef, useState } from 'react';
import type { DownloadSnapshot } from '../../shared/types';

/**
 * Which rows of the grid are selected, which one has the keyboard (the focus row) and where a Shift range starts
 * (the anchor). Rows are known by index in the current view; the selection keeps download ids, so it survives
 * rows moving while it is shown.
 */
export interface GridSelection {
  selected: Set<number>;
  focus: number;
  anchor: number;
}

const EMPTY: GridSelection = { selected: new Set(), focus: 0, anchor: 0 };

/** The ids of the loaded rows from index `a` to `b`, both included. */
function idsBetween(rows: Map<number, DownloadSnapshot>, a: number, b: number): number[] {
  const ids: number[] = [];
  for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
    const d = rows.get(i);
    if (d) ids.push(d.id);
  }
  return ids;
}

export type SelectHow = 'only' | 'toggle' | 'range' | 'focus';

export function useGridSelection(rows: Map<number, DownloadSnapshot>) {
  const [state, setState] = useState<GridSelection>(EMPTY);
  // The download the keyboard is on: when rows are added or moved above it, the focus row follows it, so the
  // arrows go on from the row the person sees selected rather than from its old place.
  const focusId = useRef<number | null>(null);
  useEffect(() => {
    const id = focusId.current;
    if (id === null) return;
    setState((s) => {
      if (rows.get(s.focus)?.id === id) return s;
      for (const [index, d] of rows) if (d.id === id) return { ...s, focus: index, anchor: Math.max(0, s.anchor + index - s.focus) };
      return s;
    });
  }, [rows]);

  /** Moves the focus row to `index` and selects as `how` says: alone, toggled, a range from the anchor, or not at all. */
  const select = useCallback(
    (index: number, how: SelectHow) =>
      setState((s) => {
        const id = rows.get(index)?.id;
        focusId.current = id ?? null;
        if (how === 'focus') return { ...s, focus: index };
        if (how === 'range') return { selected: new Set(idsBetween(rows, s.anchor, index)), focus: index, anchor: s.anchor };
        if (id === undefined) return { ...s, focus: index, anchor: index };
        if (how === 'toggle') {
          const selected = new Set(s.selected);
          if (selected.has(id)) selected.delete(id);
          else selected.add(id);
          return { selected, focus: index, anchor: index };
        }
        return { selected: new Set([id]), focus: index, anchor: index };
      }),
    [rows],
  );

  const selectIds = useCallback((ids: number[]) => setState((s) => ({ ...s, selected: new Set(ids) })), []);
  const clear = useCallback(() => ((focusId.current = null), setState(EMPTY)), []);
  /** The selected rows are gone: nothing is selected, and the keyboard stays where it was, on the row that moves up. */
  const afterRemoval = useCallback(() => setState((s) => ({ selected: new Set(), focus: s.focus, anchor: s.focus })), []);
  return { ...state, select, selectIds, clear, afterRemoval };
}
