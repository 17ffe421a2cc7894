import { useEffect } from 'react';
import { toast } from 'sonner';
import type { BraidApi } from '../../shared/api';
import { errorAdvice, withoutCommand } from '../../shared/status-words';

/** Characters of a failure's message a toast shows whole. */
const LONGEST_TOAST_MESSAGE = 120;

/**
 * A toast when downloads finish or fail; in a browser also a system notification when the person allowed them
 * (the desktop app shows its own from the main process). Endings that follow one another while their toast is
 * still up are counted in that one toast, so an imported list does not stack a toast per file over the others
 * (an Undo among them).
 */
export function useEngineNotices(api: BraidApi, inApp: boolean): void {
  useEffect(() => {
    // A run of endings shares a toast, under an id of its own: an ending while the last toast is closing starts the
    // next run's toast rather than updating one about to go.
    const shown = { completed: 0, failed: 0 };
    const run = { completed: 0, failed: 0 };
    return api.onEvent((event) => {
      if (event.type !== 'completed' && event.type !== 'failed') return;
      const kind = event.type;
      const count = ++shown[kind];
      const noun = count === 1 ? 'Download' : `${count.toLocaleString()} downloads`;
      const title = `${noun} ${kind === 'completed' ? 'complete' : 'failed'}`;
      // A long message (a checksum mismatch names both digests) would cover the window: the toast gives its gist,
      // the detail pane the whole of it.
      const message = kind === 'failed' ? withoutCommand(event.error.message) : '';
      const advice = kind === 'failed' ? errorAdvice(event.error) : null;
      const why = advice ? `${message.length <= LONGEST_TOAST_MESSAGE ? message : advice.short}. ${advice.next}` : '';
      const one = kind === 'completed' ? event.name : event.name ? `${event.name}: ${why}` : why;
      const body = count === 1 ? one : `The last: ${one}`;
      const id = `${kind}-${run[kind]}`;
      const gone = () => {
        if (`${kind}-${run[kind]}` !== id) return;
        shown[kind] = 0;
        run[kind]++;
      };
      const options = { id, description: body, onDismiss: gone, onAutoClose: gone };
      if (kind === 'completed') toast.success(title, options);
      else toast.error(title, { ...options, duration: 10_000 });
      if (!inApp && typeof Notification !== 'undefined' && Notification.permission === 'granted' && document.hidden) new Notification(title, { body });
    });
  }, [api, inApp]);
}

/** Asks once, on a click (browsers refuse otherwise), whether Braid may notify when downloads end. */
export function askForNotifications(inApp: boolean): void {
  if (!inApp && typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
}
