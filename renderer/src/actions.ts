import type { DownloadSnapshot } from '../../shared/types';

/** What can be done to the selected downloads, from the toolbar, the context menu, the keyboard or the pane. */
export interface QueueActions {
  pause(ids: number[]): void;
  resume(ids: number[]): void;
  retry(ids: number[]): void;
  /** Asks first (the confirmation says what happens to the files). */
  remove(ids: number[]): void;
  /** Absent in a browser: only the desktop app can open a file or its folder. */
  open?(id: number, what: 'file' | 'folder'): void;
  copyUrls(ids: number[]): void;
  move(id: number, where: 'top' | 'bottom'): void;
  showDetails(id: number): void;
  /** Asks for a fresh link (the old one expired), in a dialog that proves it is the same file. */
  refreshLink(id: number): void;
}

export const canPause = (d: DownloadSnapshot) => d.status === 'active' || d.status === 'queued';
export const canResume = (d: DownloadSnapshot) => d.status === 'paused';
export const canRetry = (d: DownloadSnapshot) => d.status === 'failed';
/** Only a download that is not running can take a new link; a finished one needs none. */
export const canRefreshLink = (d: DownloadSnapshot) => d.status === 'paused' || d.status === 'failed';
