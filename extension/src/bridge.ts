import { BROWSER_HOST_NAME, type BridgeReply, type BridgeRequest, type BrowserDownload } from '../../shared/browser-bridge';

/** What became of downloads handed to Braid: each one's fate, or why none was taken. */
export type Handoff = { ok: true; via: 'engine' | 'queue'; app?: string; results: ({ ok: true; id: number } | { ok: false; reason: string })[] } | { ok: false; reason: string };

/** Asks `braid browser-host` (started by the browser for this extension alone); a failure is a reason, never a throw. */
export async function askBraid(request: BridgeRequest): Promise<BridgeReply> {
  try {
    return (await chrome.runtime.sendNativeMessage(BROWSER_HOST_NAME, request)) as BridgeReply;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `Braid is not reachable (${detail}); run "braid browser-host install --browser …" once` };
  }
}

export async function handOff(downloads: BrowserDownload[]): Promise<Handoff> {
  const reply = await askBraid({ type: 'add', downloads });
  if (!reply.ok) return reply;
  if (!('results' in reply) || reply.results.length !== downloads.length) return { ok: false, reason: 'Braid gave an answer this extension does not know' };
  return reply;
}

/**
 * The Cookie header the browser would send to `url`, from the cookie store of the window it came from (a private
 * window's or a container's cookies are not the main profile's). The extension's host permissions let it read them.
 */
export async function cookiesFor(url: string, storeId?: string): Promise<string | undefined> {
  try {
    const cookies = await chrome.cookies.getAll(storeId ? { url, storeId } : { url });
    return cookies.length > 0 ? cookies.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  } catch {
    return undefined;
  }
}

/** The cookie store of a tab: Firefox names it on the tab, Chromium lists the tabs of each store. */
export async function cookieStoreOf(tab: chrome.tabs.Tab | undefined): Promise<string | undefined> {
  if (!tab) return undefined;
  const named = (tab as { cookieStoreId?: string }).cookieStoreId;
  if (named) return named;
  try {
    const stores = await chrome.cookies.getAllCookieStores();
    return stores.find((s) => tab.id !== undefined && s.tabIds.includes(tab.id))?.id;
  } catch {
    return undefined;
  }
}

/**
 * A download with what Braid needs to fetch it as the browser would. `cookies`: the store to take them from, or
 * false for none.
 */
export async function describe(d: Omit<BrowserDownload, 'cookies' | 'userAgent'>, cookies: { storeId?: string } | false): Promise<BrowserDownload> {
  return { ...d, cookies: cookies === false ? undefined : await cookiesFor(d.url, cookies.storeId), userAgent: navigator.userAgent };
}
