import type { KeyboardEvent, PointerEvent } from 'react';

export const PANE_MIN = 140;
const STEP = 24;

/** The edge above the detail pane: drag it, or focus it and use the arrow keys, to give the pane more or less room. */
export function PaneResizer({ height, onResize }: { height: number; onResize: (h: number) => void }) {
  const max = Math.round(window.innerHeight * 0.7);
  const clamp = (h: number) => Math.max(PANE_MIN, Math.min(max, Math.round(h)));
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    const startY = e.clientY;
    const startH = height;
    const el = e.currentTarget;
    el.setPointerCapture(e.pointerId);
    const move = (m: globalThis.PointerEvent) => onResize(clamp(startH + startY - m.clientY));
    const up = () => {
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowUp') onResize(clamp(height + STEP));
    else if (e.key === 'ArrowDown') onResize(clamp(height - STEP));
    else return;
    e.preventDefault();
  };
  return (
    <div
      className="pane-resizer"
      role="separator"
      aria-orientation="horizontal"
      aria-label="Resize details"
      aria-valuemin={PANE_MIN}
      aria-valuemax={max}
      aria-valuenow={height}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
    />
  );
}
