// Which proxy URLs Braid takes, checked once for every face (settings, `--all-proxy`, `all-proxy=` in lists).

/** Proxy schemes Braid speaks: HTTP(S) proxies (CONNECT for https) and SOCKS5 with the name resolved by the proxy. */
export const PROXY_SCHEMES = ['http:', 'https:', 'socks5:', 'socks5h:', 'socks:'] as const;

/** Why `text` is not a usable proxy URL, or null when it is ('' is "no proxy" and is fine). */
export function proxyProblem(text: string): string | null {
  if (text === '') return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${JSON.stringify(text.slice(0, 80))} is not a proxy URL such as http://host:3128 or socks5://host:1080`;
  }
  if (!(PROXY_SCHEMES as readonly string[]).includes(url.protocol)) {
    return `a proxy must be http://, https:// or socks5://, not ${url.protocol}//`;
  }
  if (url.hostname === '') return 'the proxy URL has no host';
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) return 'a proxy URL is only scheme, credentials, host and port';
  return null;
}

/** The proxy URL with its password hidden, for messages and the UI. */
export function redactProxy(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.href.replace(/\/$/, '');
  } catch {
    return '(an invalid proxy URL)';
  }
}
