import { BraidError } from './errors';

const MAX_URL_LENGTH = 8192;

/** Accepts only absolute http(s) URLs of a sane length; anything else is a clear error. */
export function checkUrl(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length > MAX_URL_LENGTH) throw new BraidError('INVALID_URL', `URL longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new BraidError('INVALID_URL', `not a URL: ${preview(trimmed)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BraidError('UNSUPPORTED_SCHEME', `unsupported scheme ${url.protocol} (only http and https)`);
  }
  return url.href;
}

export function preview(text: string, max = 80): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
