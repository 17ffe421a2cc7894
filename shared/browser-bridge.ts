// The contract between Braid's browser extension and `braid browser-host` (native messaging). Plain data only:
// the extension bundles this file too.

/** The native messaging host's name, as the browser looks it up in its NativeMessagingHosts folder. */
export const BROWSER_HOST_NAME = 'app.braid.browser_host';

/**
 * The Chromium extension's ID: derived from the public `key` in `extension/manifest.json`, so it is the same
 * wherever the unpacked extension is loaded. The host manifest allows this ID and no other.
 */
export const CHROMIUM_EXTENSION_ID = 'anhpoifdcfhdebiaifgdhpcepoomaiba';

/** The Firefox add-on's ID (`browser_specific_settings.gecko.id`). */
export const FIREFOX_EXTENSION_ID = 'browser-bridge@braid.app';

/** The browsers `braid browser-host install` can register with. */
export const BROWSERS = ['chromium', 'chrome', 'brave', 'edge', 'firefox'] as const;
export type BrowserName = (typeof BROWSERS)[number];

/** One download the browser hands over, with what the browser would have sent for it. */
export interface BrowserDownload {
  url: string;
  /** Where the browser's request ended after redirects, when it started one. */
  finalUrl?: string;
  referrer?: string;
  /** The page the download was started from. */
  pageUrl?: string;
  userAgent?: string;
  /** The `Cookie` header the browser would send to `url`. */
  cookies?: string;
  /** The file name the browser would use (a bare name). */
  name?: string;
  /** Bytes, when the browser knows. */
  size?: number;
}

export type BridgeRequest = { type: 'ping' } | { type: 'add'; downloads: BrowserDownload[] };

/** One download's fate: queued by Braid (its id) or refused, with why in plain words. */
export type BridgeOutcome = { ok: true; id: number } | { ok: false; reason: string };

export type BridgeReply =
  /** `engine`: a running Braid took it; `queue`: queued in the database for Braid's next start. */
  /** `app`: for a queue, whether the Braid app was started to run it ('started', or why it could not be). */
  | { ok: true; via: 'engine' | 'queue'; results: BridgeOutcome[]; app?: string }
  | { ok: true; pong: true; version: string }
  | { ok: false; reason: string };
