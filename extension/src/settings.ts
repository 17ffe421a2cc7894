/** What the user chooses in the popup; kept in the extension's local storage. */
export interface BridgeSettings {
  /** Whether downloads the browser starts go to Braid at all (the context menu works either way). */
  takeOver: boolean;
  /** Downloads known to be smaller than this stay with the browser. */
  thresholdBytes: number;
  /** Host names whose downloads stay with the browser (a name covers its subdomains). */
  sitesLeftToBrowser: string[];
}

export const DEFAULT_SETTINGS: BridgeSettings = { takeOver: true, thresholdBytes: 1024 * 1024, sitesLeftToBrowser: [] };

/** Settings as stored, with anything missing or malformed at its default. */
export function settingsFrom(stored: Record<string, unknown>): BridgeSettings {
  const s = { ...DEFAULT_SETTINGS };
  if (typeof stored['takeOver'] === 'boolean') s.takeOver = stored['takeOver'];
  const threshold = stored['thresholdBytes'];
  if (typeof threshold === 'number' && Number.isFinite(threshold) && threshold >= 0) s.thresholdBytes = Math.floor(threshold);
  const sites = stored['sitesLeftToBrowser'];
  if (Array.isArray(sites)) s.sitesLeftToBrowser = sites.filter((x): x is string => typeof x === 'string');
  return s;
}

/** The site rules as typed in the popup: one host name a line (a pasted URL keeps its host). */
export function parseSites(text: string): string[] {
  const sites = new Set<string>();
  for (const line of text.split(/[\s,]+/)) {
    const t = line.trim().toLowerCase();
    if (!t) continue;
    try {
      const host = new URL(t.includes('://') ? t : `http://${t}`).hostname.replace(/^\./, '');
      if (/^[a-z0-9.-]+$/.test(host)) sites.add(host);
    } catch {
      // Not a host name: left out.
    }
  }
  return [...sites];
}
