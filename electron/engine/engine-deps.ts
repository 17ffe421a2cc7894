import type { BrowserName } from '../../shared/browser-bridge';
import type { Settings } from '../../shared/types';
import type { Clock, DownloadRepository, FileSystemPort } from './ports';
import type { SystemProxy } from './proxy/system-proxy';
import type { Timing } from './settings';

// What an engine is made with and started with: the faces (the app, the CLI, `braid serve`) and the tests fill these.

/** The desktop shell, for `open`; the path always comes from the store, looked up by id. */
export interface DesktopShell {
  /** Opens the file with its default application; resolves with an error message, or '' when it worked. */
  openFile(path: string): Promise<string>;
  showInFolder(path: string): void;
  /** Asks the person for a folder with the system's dialog, starting at `start`; null when they cancel. */
  chooseFolder(start: string): Promise<string | null>;
  /** Registers or removes Braid's native messaging host with a browser; resolves with the manifest's path. */
  browserHost(browser: BrowserName, action: 'install' | 'uninstall'): Promise<string>;
}

export interface EngineDeps {
  repo: DownloadRepository;
  fs?: FileSystemPort;
  /** Settings for this run only, over the saved ones (the CLI's flags); never saved. */
  overrides?: Partial<Settings>;
  timing?: Partial<Timing>;
  /** One size for the pooled write buffers, whatever the memory settings (see `writeBufferSize`). */
  bufferSize?: number;
  /** Supplied by the desktop app; without it `open` refuses (the CLI, `braid serve`). */
  shell?: DesktopShell;
  /** Time for deadlines, retries and checkpoints; tests pass a fake one. */
  clock?: Clock;
  /** Segment bodies through Braid's own receive path (the default), or all through got. */
  receivePath?: boolean;
  /**
   * The proxy the system or environment chooses for a URL, used when neither the download nor the settings name
   * one: the environment's variables for the CLI and `braid serve`, Electron's resolver in the app. Absent: direct.
   */
  systemProxy?: SystemProxy;
}

export interface StartOptions {
  /** Run only these downloads (the CLI's `get`); absent means the whole queue. */
  only?: Iterable<number>;
}
