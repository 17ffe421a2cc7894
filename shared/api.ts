import type { BrowserName } from './browser-bridge';
import type {
  AddRequest,
  AddResult,
  ArmedCatch,
  DownloadRecord,
  EngineEvent,
  ImportReport,
  ListPage,
  ListQuery,
  PreviewResult,
  RefreshResult,
  SegmentState,
  Settings,
} from './types';

/** Everything a face of Braid can ask of the engine. The renderer knows only this. */
export interface BraidApi {
  add(requests: AddRequest[]): Promise<AddResult[]>;
  /**
   * Asks each server what it would send (name, size, whether it resumes) and looks up the download Braid already
   * has for each URL, without adding anything: what the Add dialog shows before Start.
   */
  preview(urls: string[]): Promise<PreviewResult[]>;
  /** Imports a URL list (plain, or aria2's input-file format); bad lines are reported, good ones added. */
  importList(text: string, defaults: { folder?: string; paused?: boolean }): Promise<ImportReport>;
  pause(ids: number[]): Promise<void>;
  resume(ids: number[]): Promise<void>;
  /** Failed downloads start again, keeping what is already on disk when it is still valid. */
  retry(ids: number[]): Promise<void>;
  remove(ids: number[], options: { deleteFile: boolean }): Promise<void>;
  /**
   * Gives a paused or failed download a new URL (its link expired) and queues it. The new link must serve the
   * same file as the bytes on disk (same size and strong ETag, else sample windows read the same); a different
   * file is refused with CANNOT_RESUME and nothing changed, unless `startOver` asks to download it from the start.
   * `headers`, when given, are the new link's own (a browser's cookies for its origin) and replace the download's;
   * otherwise the download's headers stay when the new link is on their origin and are dropped when it is not.
   */
  refreshLink(id: number, url: string, options: { startOver?: boolean; headers?: Record<string, string> }): Promise<RefreshResult>;
  /**
   * Arms a catch for a paused or failed download: the next download the browser extension hands over that matches
   * it (the same file name, or the same size) is offered to it as its new link, proven the same file as with
   * `refreshLink`, instead of becoming a new download. One catch at a time (arming another calls off the first);
   * it lapses after a few minutes. Its fate comes as a `catch` event.
   */
  catchLink(id: number): Promise<ArmedCatch>;
  /** Calls off the catch armed for this download, if any. */
  cancelCatch(id: number): Promise<void>;
  move(id: number, direction: 'up' | 'down' | 'top' | 'bottom'): Promise<void>;
  list(query: ListQuery): Promise<ListPage>;
  detail(id: number): Promise<{ record: DownloadRecord; segments: SegmentState[] } | null>;
  /**
   * Opens a completed download's file, or shows it in its folder. The path comes from the store, never from
   * the caller; only the desktop app can do this (`braid serve` refuses).
   */
  open(id: number, what: 'file' | 'folder'): Promise<void>;
  /** Asks for a folder with the system's dialog (the desktop app only; `braid serve` refuses); null when cancelled. */
  chooseFolder(start: string): Promise<string | null>;
  /**
   * Registers Braid's native messaging host with a browser, or removes it, so the extension can hand this app
   * downloads (the desktop app only); resolves with the host manifest's path.
   */
  browserHost(browser: BrowserName, action: 'install' | 'uninstall'): Promise<string>;
  getSettings(): Promise<Settings>;
  setSettings(patch: Partial<Settings>): Promise<Settings>;
  /** Subscribes to coalesced engine events; returns the unsubscribe function. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
}
