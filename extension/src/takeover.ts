import type { BridgeSettings } from './settings';
import { getDomain } from 'tldts';

export interface StartedDownload {
  url: string;
  finalUrl?: string;
  referrer?: string;
  /** Bytes, or null when the browser does not know yet. */
  size: number | null;
}

export type Decision = { take: true } | { take: false; why: string };

function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

function isWeb(url: string | undefined): boolean {
  return url !== undefined && /^https?:\/\//i.test(url);
}

export function coveredBySite(host: string | null, sites: readonly string[]): boolean {
  return host !== null && sites.some((site) => host === site || host.endsWith(`.${site}`));
}

/**
 * Whether Braid takes a download the browser started. Pure, so the rules test without a browser: only http(s);
 * not one the user Alt-clicked; not from a site left to the browser (its own host or the page it came from);
 * and not one known to be under the threshold (an unknown size goes to Braid).
 */
export function decide(d: StartedDownload, settings: BridgeSettings, leftByAltClick: boolean): Decision {
  if (!settings.takeOver) return { take: false, why: 'taking over is off' };
  if (!isWeb(d.url) || (d.finalUrl !== undefined && d.finalUrl !== '' && !isWeb(d.finalUrl))) return { take: false, why: 'not http or https' };
  if (leftByAltClick) return { take: false, why: 'Alt-click leaves it to the browser' };
  const sites = settings.sitesLeftToBrowser;
  if ([d.url, d.finalUrl, d.referrer].some((u) => coveredBySite(hostOf(u), sites))) return { take: false, why: 'a site rule leaves it to the browser' };
  if (d.size !== null && d.size >= 0 && d.size < settings.thresholdBytes) return { take: false, why: 'smaller than the threshold' };
  return { take: true };
}

/**
 * Whether two URLs belong to one site as browsers group cookies: the same registrable domain by the public suffix
 * list (so `a.github.io` and `b.github.io` are two sites, `www.gmx.de` and `dl.gmx.de` one), or the same host
 * where there is none (an IP address, `localhost`). A page's links to other sites are sent without cookies: the
 * user asked for the links, not for their sessions on every site the page points to.
 */
export function sameSite(a: string, b: string): boolean {
  const site = (url: string): string | null => {
    const host = new URL(url).hostname.toLowerCase();
    return getDomain(host, { allowPrivateDomains: true }) ?? host;
  };
  try {
    return site(a) === site(b);
  } catch {
    return false;
  }
}
