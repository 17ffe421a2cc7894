import { redactProxy } from './proxy-url';
import type { DownloadOptions } from './types';

/**
 * A header value as a face may show it: cookies keep their names, every value is hidden behind its length. A
 * session cookie or an API key in a list or a screenshot is as good as the key itself.
 */
export function maskHeaderValue(name: string, value: string): string {
  if (name.toLowerCase() === 'cookie') {
    return value
      .split(';')
      .map((pair) => pair.trim())
      .filter((pair) => pair !== '')
      .map((pair) => `${pair.split('=')[0]}=…`)
      .join('; ');
  }
  return `… (${value.length} characters)`;
}

/**
 * A download's URL as the command line prints it: a password in it (`https://user:pass@host/…`) hidden as a
 * proxy's is, and a user name alone hidden too, since that is where tokens go (`https://TOKEN@host/…`). A URL
 * without either is left exactly as it was given.
 */
export function maskUrlPassword(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    else if (url.username) url.username = '***';
    else return text;
    return url.href;
  } catch {
    return text;
  }
}

/** The options with every extra header's value masked and a proxy's password hidden; the same object when there are neither. */
export function maskOptions(options: DownloadOptions): DownloadOptions {
  if (!options.headers && !options.proxy) return options;
  const masked = { ...options };
  if (options.headers) masked.headers = Object.fromEntries(Object.entries(options.headers).map(([n, v]) => [n, maskHeaderValue(n, v)]));
  if (options.proxy) masked.proxy = redactProxy(options.proxy);
  return masked;
}
