import { useEffect } from 'react';
import { toast } from 'sonner';
import type { BraidApi } from '../../shared/api';
import { errorAdvice, withoutCommand } from '../../shared/status-words';

/**
 * A toast when a download finishes or fails; in a browser also a system notification when the person allowed
 * them (the desktop app shows its own from the main process).
 */
export function useEngineNotices(api: BraidApi, inApp: boolean): void {
  useEffect(
    () =>
      api.onEvent((event) => {
        if (event.type !== 'completed' && event.type !== 'failed') return;
        const title = event.type === 'completed' ? 'Download complete' : 'Download failed';
        const why = event.type === 'failed' ? `${withoutCommand(event.error.message)}. ${errorAdvice(event.error).next}` : '';
        const body = event.type === 'completed' ? event.name : event.name ? `${event.name}: ${why}` : why;
        if (event.type === 'completed') toast.success(title, { description: body });
        else toast.error(title, { description: body, duration: 10_000 });
        if (!inApp && typeof Notification !== 'undefined' && Notification.permission === 'granted' && document.hidden) new Notification(title, { body });
      }),
    [api, inApp],
  );
}

/** Asks once, on a click (browsers refuse otherwise), whether Braid may notify when downloads end. */
export function askForNotifications(inApp: boolean): void {
  if (!inApp && typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
}
