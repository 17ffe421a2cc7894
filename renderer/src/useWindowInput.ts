import { useEffect } from 'react';
import type { AddSeed } from './components/add/AddDialog';

/** Keys and pastes in a text field, or in an open dialog, belong there. */
function ownedElsewhere(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('textarea, input, select, [role="dialog"], [role="alertdialog"]') !== null;
}

function urlsIn(text: string): string[] {
  return text.split(/\s+/).filter((t) => /^https?:\/\//i.test(t));
}

/**
 * Ctrl/Cmd+N opens the Add dialog; links pasted outside a text field or dropped on the window, and dropped list
 * files, open it too, filled in. Nothing starts until the person chooses Start or Queue there. Ctrl/Cmd+A outside
 * a text field or dialog selects every download (the list handles its own), never the page's text; Ctrl/Cmd+F goes to
 * the search box.
 */
export function useWindowInput(offer: (seed: AddSeed) => void, selectAll: () => void, focusSearch: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.shiftKey || e.altKey) return;
      const key = e.key.toLowerCase();
      if (key === 'n') {
        e.preventDefault();
        offer({ text: '' });
      } else if (key === 'f' && !(e.target instanceof Element && e.target.closest('[role="dialog"], [role="alertdialog"]'))) {
        e.preventDefault();
        focusSearch();
      } else if (key === 'a' && !ownedElsewhere(e.target) && !(e.target instanceof Element && e.target.closest('[role="grid"], [role="menu"]'))) {
        e.preventDefault();
        selectAll();
      }
    };
    const onPaste = (e: ClipboardEvent) => {
      if (ownedElsewhere(e.target)) return;
      const urls = urlsIn(e.clipboardData?.getData('text') ?? '');
      if (urls.length > 0) offer({ text: urls.join('\n') });
    };
    const onDragOver = (e: DragEvent) => e.preventDefault();
    const onDrop = async (e: DragEvent) => {
      e.preventDefault();
      const file = e.dataTransfer?.files?.[0];
      if (file) {
        offer({ text: '', file: { name: file.name, text: await file.text() } });
        return;
      }
      const urls = urlsIn(e.dataTransfer?.getData('text/uri-list') || e.dataTransfer?.getData('text/plain') || '');
      if (urls.length > 0) offer({ text: urls.join('\n') });
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('paste', onPaste);
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('paste', onPaste);
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, [offer, selectAll, focusSearch]);
}
