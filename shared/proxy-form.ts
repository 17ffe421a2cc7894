// The proxy as the Settings dialog shows it: the address in one field and the password apart, in a password
// field, so a saved password is never on screen in clear text.

import { PROXY_SCHEMES, proxyProblem } from './proxy-url';

/** A proxy URL as two fields: the address (user name included) and the password. */
export function splitProxy(proxy: string): { address: string; password: string } {
  if (proxy === '') return { address: '', password: '' };
  try {
    const url = new URL(proxy);
    const password = decodeURIComponent(url.password);
    url.password = '';
    return { address: url.href.replace(/\/$/, ''), password };
  } catch {
    return { address: proxy, password: '' };
  }
}

/** The proxy URL the two fields make, or why they do not make one, in words for the person. */
export function joinProxy(addressText: string, password: string): { proxy: string } | { error: string } {
  const address = addressText.trim();
  if (address === '') return password === '' ? { proxy: '' } : { error: 'Enter the proxy’s address, or clear the password.' };
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return { error: 'Enter a proxy address such as http://proxy:3128 or socks5://proxy:1080.' };
  }
  if (!(PROXY_SCHEMES as readonly string[]).includes(url.protocol)) return { error: 'A proxy address starts with http://, https:// or socks5://.' };
  const problem = proxyProblem(address);
  if (problem) return { error: `${problem.charAt(0).toUpperCase()}${problem.slice(1)}.` };
  // A password typed into the address wins; it moves to the password field the next time Settings opens.
  if (password !== '' && url.password === '') {
    if (url.username === '') return { error: 'Put the user name in the address (http://user@proxy:3128) to go with the password.' };
    url.password = password;
  }
  return { proxy: url.href.replace(/\/$/, '') };
}

/** An entry the engine understands: a name, `.domain`, `*.domain`, an IP (IPv6 in brackets), with `:port`, or `*`. */
const NO_PROXY_ENTRY = /^(\[[^\]/]+\]|[^:/[\]]+)(?::\d+)?$/;

/** Why the no-proxy list would not be understood, or null. */
export function noProxyProblem(list: string): string | null {
  const bad = list.split(/[\s,]+/).find((e) => e !== '' && !NO_PROXY_ENTRY.test(e));
  return bad === undefined ? null : `“${bad.slice(0, 60)}” is not a host. List names such as localhost, example.com, 10.0.0.1 or intranet:8080, separated by commas.`;
}
