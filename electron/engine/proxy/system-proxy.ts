import { getProxyForUrl } from 'proxy-from-env';

/** The proxy the system or the environment chooses for a URL: a proxy URL, or null for a direct connection. */
export type SystemProxy = (url: string) => Promise<string | null>;

/**
 * The usual environment variables, as curl reads them: `HTTPS_PROXY` / `HTTP_PROXY` by the URL's scheme, else
 * `ALL_PROXY`, unless `NO_PROXY` lists the host (lower-case forms too). For the command line and `braid serve`.
 */
export function proxyFromEnvironment(): SystemProxy {
  return async (url) => {
    const proxy = getProxyForUrl(url);
    if (!proxy) return null;
    // A bare `host:port` is an HTTP proxy, as curl takes it.
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
  };
}

/**
 * The first usable entry of a PAC-style answer (what Electron's `session.resolveProxy` gives): `DIRECT`,
 * `PROXY host:port`, `HTTPS host:port`, `SOCKS5 host:port` or `SOCKS host:port`, separated by `;`.
 */
export function proxyFromPacResult(result: string): string | null {
  for (const entry of result.split(';')) {
    const [kind, where] = entry.trim().split(/\s+/);
    if (!kind) continue;
    switch (kind.toUpperCase()) {
      case 'DIRECT':
        return null;
      case 'PROXY':
        if (where) return `http://${where}`;
        break;
      case 'HTTPS':
        if (where) return `https://${where}`;
        break;
      case 'SOCKS':
      case 'SOCKS5':
        if (where) return `socks5://${where}`;
        break;
    }
  }
  return null;
}
