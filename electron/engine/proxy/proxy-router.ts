import { proxyProblem } from '../../../shared/proxy-url';
import { BraidError } from '../errors';
import { reportOnce } from '../report-once';
import { bypassesProxy } from './no-proxy';
import type { SystemProxy } from './system-proxy';

/** How long the system's answer for an origin is kept: a PAC script runs once per origin and minute, not per request. */
const SYSTEM_ANSWER_MS = 60_000;
const MAX_REMEMBERED = 256;

/**
 * Which proxy a request goes through, by the first of: the download's own (`--all-proxy`, `all-proxy=`; '' is
 * none), Braid's setting, the system's (the app: Electron's resolver, PAC included) or the environment's (the
 * command line and `braid serve`). Hosts on Braid's no-proxy list are always reached directly.
 */
export class ProxyRouter {
  private readonly remembered = new Map<string, { proxy: string | null; until: number }>();

  constructor(
    private readonly settings: () => { proxy: string; noProxy: string },
    private readonly system: SystemProxy | null,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The proxy URL for a request to `url`, or null for a direct connection. One from the system or the environment
   * was never checked as the settings' was: one that is no proxy URL fails as the proxy's fault, not the server's.
   */
  async route(url: string, own: string | undefined): Promise<string | null> {
    const proxy = await this.choose(url, own);
    const problem = proxy === null ? null : proxyProblem(proxy);
    // The text is shown as it was given, but never a password in it.
    if (problem) throw new BraidError('PROXY_ERROR', `the system's proxy cannot be used: ${problem.replace(/\/\/[^/@\s]*@/g, '//***@')}`);
    return proxy;
  }

  private async choose(url: string, own: string | undefined): Promise<string | null> {
    const target = new URL(url);
    const { proxy, noProxy } = this.settings();
    if (bypassesProxy(noProxy, target)) return null;
    if (own !== undefined) return own === '' ? null : own;
    if (proxy !== '') return proxy;
    if (!this.system) return null;
    const key = target.origin;
    const known = this.remembered.get(key);
    if (known && known.until > this.now()) return known.proxy;
    let chosen: string | null = null;
    try {
      chosen = await this.system(url);
    } catch (error) {
      reportOnce('the system proxy could not be resolved; connecting directly', error);
    }
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value!);
    this.remembered.set(key, { proxy: chosen, until: this.now() + SYSTEM_ANSWER_MS });
    return chosen;
  }
}
