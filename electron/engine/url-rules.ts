import { BraidError } from './errors';

const MAX_URL_LENGTH = 8192;

/**
 * What a URL written without its scheme (`example.com/file.iso`, `127.0.0.1:8080/x`) would be with one; null
 * for text that does not start with a host. Suggested, not assumed: http or https is the person's to say.
 */
function withScheme(text: string): string | null {
  // A host with a path or a port after it, or www.: a bare `name.ext` is more likely a file than a host.
  const host = /^(www\.([a-z0-9-]+\.)*[a-z0-9-]+|([a-z0-9-]+\.)+[a-z0-9-]+(?=[:/])|localhost(?=[:/])|\[[0-9a-f:]+\](?=[:/]))(:\d+)?(\/|$)/i;
  if (/\s/.test(text) || !host.test(text)) return null;
  try {
    return new URL(`https://${text}`).href;
  } catch {
    return null;
  }
}

function notAUrl(text: string, suggested: string | null): BraidError {
  return new BraidError('INVALID_URL', `not a URL: ${preview(text)}${suggested ? ` (with its scheme: ${preview(suggested)}?)` : ''}`);
}

/**
 * Accepts only absolute http(s) URLs of a sane length; anything else is a clear error. The fragment is left out:
 * it is never sent, so a URL with one is the same download as without.
 */
export function checkUrl(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length > MAX_URL_LENGTH) throw new BraidError('INVALID_URL', `URL longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw notAUrl(trimmed, withScheme(trimmed));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // `localhost:3000/x` reads as a URL of the scheme "localhost".
    const suggested = trimmed.includes('://') ? null : withScheme(trimmed);
    if (suggested) throw notAUrl(trimmed, suggested);
    throw new BraidError('UNSUPPORTED_SCHEME', `unsupported scheme ${url.protocol} (only http and https)`);
  }
  url.hash = '';
  return url.href;
}

export function preview(text: string, max = 80): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
