import type { BrowserDownload } from '../../../shared/browser-bridge';
import type { AddRequest } from '../../../shared/types';

const MAX_TEXT = 64 * 1024;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= MAX_TEXT ? value : undefined;
}

function webUrl(value: unknown): string | undefined {
  const s = text(value);
  if (s === undefined) return undefined;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** A bare file name: a browser's suggestion may carry its download folder. */
function bareName(value: unknown): string | undefined {
  const s = text(value);
  const name = s?.split(/[/\\]/).pop();
  return name ? name : undefined;
}

/**
 * What Braid queues for a download the browser handed over. The cookies, referrer and user agent become the
 * download's own headers, which Braid sends to the URL's origin only (never across a redirect to another host)
 * and forgets once the download is done. The browser's final URL is a mirror: used only if the URL itself fails.
 */
export function toAddRequest(d: BrowserDownload, folder: string | undefined): AddRequest {
  const headers: Record<string, string> = {};
  const cookies = text(d.cookies);
  const referrer = webUrl(d.referrer) ?? webUrl(d.pageUrl);
  const userAgent = text(d.userAgent);
  if (cookies) headers['Cookie'] = cookies;
  if (referrer) headers['Referer'] = referrer;
  if (userAgent) headers['User-Agent'] = userAgent;
  const url = typeof d.url === 'string' ? d.url : '';
  const finalUrl = webUrl(d.finalUrl);
  const request: AddRequest = { url, options: Object.keys(headers).length > 0 ? { headers } : {} };
  if (finalUrl && finalUrl !== webUrl(url)) request.mirrors = [finalUrl];
  const name = bareName(d.name);
  if (name) request.name = name;
  if (folder) request.folder = folder;
  return request;
}
