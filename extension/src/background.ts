// Braid's extension: takes over the browser's downloads (only once Braid has accepted one does the browser's
// own copy stop) and adds "Download with Braid" to the context menu.
import type { BrowserDownload } from '../../shared/browser-bridge';
import { notify, recordActivity } from './activity';
import { cookieStoreOf, describe, handOff } from './bridge';
import { DEFAULT_SETTINGS, settingsFrom, type BridgeSettings } from './settings';
import { decide, sameSite } from './takeover';

/** How long an Alt-click keeps its link with the browser: the download starts well within it. */
const ALT_CLICK_MS = 15_000;
/** Links sent at once by "Download all links". */
const MAX_LINKS = 1000;

let settings: Promise<BridgeSettings> = loadSettings();
const leftToBrowser = new Map<string, number>();

async function loadSettings(): Promise<BridgeSettings> {
  try {
    return settingsFrom(await chrome.storage.local.get(Object.keys(DEFAULT_SETTINGS)));
  } catch {
    return DEFAULT_SETTINGS;
  }
}

chrome.storage.onChanged.addListener(() => {
  settings = loadSettings();
});

function altClicked(...urls: (string | undefined)[]): boolean {
  const now = Date.now();
  for (const [url, until] of leftToBrowser) if (until < now) leftToBrowser.delete(url);
  return urls.some((u) => u !== undefined && leftToBrowser.has(u));
}

chrome.runtime.onMessage.addListener((message: { type?: string; url?: unknown }, sender) => {
  // Only this extension's own scripts: a web page cannot message it (no externally_connectable).
  if (sender.id !== chrome.runtime.id) return;
  if (message?.type === 'leave-to-browser' && typeof message.url === 'string') leftToBrowser.set(message.url, Date.now() + ALT_CLICK_MS);
});

function bareName(path: string): string | undefined {
  return path.split(/[/\\]/).pop() || undefined;
}

function sizeOf(item: chrome.downloads.DownloadItem): number | null {
  if (item.fileSize > 0) return item.fileSize;
  return item.totalBytes > 0 ? item.totalBytes : null;
}

async function activePageUrl(): Promise<string | undefined> {
  try {
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    return tab?.url;
  } catch {
    return undefined;
  }
}

/**
 * A download the browser started: held (paused) while Braid is asked, then cancelled if Braid took it, or let
 * go on if Braid is unreachable or refused, with a notification saying why.
 */
async function onDownloadCreated(item: chrome.downloads.DownloadItem): Promise<void> {
  const started = { url: item.url, finalUrl: item.finalUrl, referrer: item.referrer, size: sizeOf(item) };
  const decision = decide(started, await settings, altClicked(item.url, item.finalUrl));
  if (!decision.take || item.state !== 'in_progress') return;
  try {
    await chrome.downloads.pause(item.id);
  } catch {
    // Already finished or gone: nothing to take over.
    return;
  }
  const download: BrowserDownload = await describe({
    url: item.url,
    finalUrl: item.finalUrl || undefined,
    referrer: item.referrer || undefined,
    pageUrl: (await activePageUrl()) ?? (item.referrer || undefined),
    name: bareName(item.filename),
    size: started.size ?? undefined,
  }, { storeId: downloadCookieStore(item) });
  const reply = await handOff([download]);
  const name = download.name ?? bareName(new URL(item.url).pathname) ?? item.url;
  const outcome = reply.ok ? reply.results[0]! : reply;
  if (outcome.ok && reply.ok) {
    await chrome.downloads.cancel(item.id).catch(() => undefined);
    await chrome.downloads.erase({ id: item.id }).catch(() => undefined);
    const note =
      reply.via === 'engine'
        ? 'Braid is downloading it'
        : reply.app === 'started'
          ? 'queued: Braid is starting to run it'
          : `queued: Braid runs it when it next starts${reply.app ? ` (${reply.app})` : ''}`;
    await recordActivity({ at: Date.now(), name, ok: true, note });
    return;
  }
  const reason = outcome.ok ? 'Braid did not take it' : outcome.reason;
  await chrome.downloads.resume(item.id).catch(() => undefined);
  await recordActivity({ at: Date.now(), name, ok: false, note: reason });
  notify('The browser keeps this download', `${name}: ${reason}`);
}

chrome.downloads.onCreated.addListener((item) => void onDownloadCreated(item));

// ---- context menu ----------------------------------------------------------------------------------------

chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.removeAll(() => {
    chrome.contextMenus.create({ id: 'braid-link', title: 'Download with Braid', contexts: ['link'] });
    chrome.contextMenus.create({ id: 'braid-all-links', title: 'Download all links with Braid', contexts: ['page'] });
  });
});

/** The cookie store a download the browser started belongs to: Firefox names it, Chromium's private one is "1". */
function downloadCookieStore(item: chrome.downloads.DownloadItem): string | undefined {
  return (item as { cookieStoreId?: string }).cookieStoreId ?? (item.incognito ? '1' : undefined);
}

/**
 * Links from a page. The one link the user chose goes with its cookies, as the browser would send them on a
 * click; of all the page's links, only those on the page's own site do.
 */
async function sendFromPage(urls: string[], pageUrl: string | undefined, tab: chrome.tabs.Tab | undefined, chosen: boolean): Promise<void> {
  const web = [...new Set(urls.filter((u) => /^https?:/i.test(u)))].slice(0, MAX_LINKS);
  if (web.length === 0) {
    notify('Nothing for Braid', 'no http or https links here');
    return;
  }
  const storeId = await cookieStoreOf(tab);
  const withCookies = (url: string) => chosen || (pageUrl !== undefined && sameSite(url, pageUrl));
  const downloads = await Promise.all(web.map((url) => describe({ url, referrer: pageUrl, pageUrl }, withCookies(url) ? { storeId } : false)));
  const reply = await handOff(downloads);
  if (!reply.ok) {
    await recordActivity({ at: Date.now(), name: `${web.length} link${web.length === 1 ? '' : 's'}`, ok: false, note: reply.reason });
    notify('Braid did not take the links', reply.reason);
    return;
  }
  const taken = reply.results.filter((r) => r.ok).length;
  const refused = reply.results.find((r) => !r.ok);
  const note = `${taken} of ${web.length} taken${refused && !refused.ok ? `; ${refused.reason}` : ''}`;
  await recordActivity({ at: Date.now(), name: web.length === 1 ? web[0]! : `${web.length} links`, ok: taken > 0, note });
  if (refused) notify('Braid refused some links', note);
}

chrome.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === 'braid-link' && info.linkUrl) {
    void sendFromPage([info.linkUrl], info.pageUrl, tab, true);
  } else if (info.menuItemId === 'braid-all-links' && tab?.id !== undefined) {
    chrome.tabs
      .sendMessage(tab.id, { type: 'collect-links' }, { frameId: 0 })
      .then((urls: unknown) => sendFromPage(Array.isArray(urls) ? urls.filter((u): u is string => typeof u === 'string') : [], info.pageUrl, tab, false))
      .catch(() => notify('Braid cannot read this page', 'reload the page and try again'));
  }
});
