import type { Got, Request } from 'got';
import type http from 'node:http';
import type https from 'node:https';

export interface HttpTimeouts {
  connectMs: number;
  /** From request sent to response headers. */
  firstByteMs: number;
  /** A kept-alive socket unused for this long is closed. */
  idleSocketMs: number;
}

/** Headers that may follow a redirect to another host; every other one (keys, cookies, auth) is dropped. */
const PORTABLE_HEADERS = new Set(['range', 'if-range', 'accept-encoding', 'user-agent', 'accept']);

export const USER_AGENT = 'Braid/0.1';

/** got's agents for plain-http and https requests. */
interface AgentPair {
  http: http.Agent;
  https: https.Agent;
}

function origin(url: URL | string): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  return `${u.protocol}//${u.host}`;
}

/**
 * One got instance over keep-alive agents (sockets capped per origin). Nothing is decompressed (offsets are
 * into the bytes on the wire), nothing is retried by got (the engine owns retry and resume), HTTP errors are
 * answers to inspect, not exceptions. got is loaded with the first request that needs it: Braid's own receive
 * path answers the common ones, and got's modules (and Node's http and https, which only got uses) are a good
 * part of a small process's memory.
 */
export class HttpClient {
  private got: Promise<Got> | null = null;
  /** Made with got: their sockets are got's. */
  private agents: AgentPair | null = null;
  /** Agents that connect through a proxy, one pair per proxy URL, made with the first request through it. */
  private readonly proxied = new Map<string, Promise<AgentPair>>();
  private readonly agentOptions: http.AgentOptions;

  constructor(
    private readonly timeouts: HttpTimeouts,
    private readonly options: { maxSocketsPerOrigin?: number; maxRedirects?: number } = {},
  ) {
    const maxSockets = options.maxSocketsPerOrigin ?? 32;
    const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' as const, timeout: timeouts.idleSocketMs };
    this.agentOptions = agentOptions;
  }

  private client(): Promise<Got> {
    this.got ??= Promise.all([import('got'), import('node:http'), import('node:https')]).then(([{ default: got }, http, https]) => {
      const agents = { http: new http.Agent(this.agentOptions), https: new https.Agent(this.agentOptions) };
      this.agents = agents;
      return this.configure(got, agents);
    });
    return this.got;
  }

  private configure(got: Got, agents: AgentPair): Got {
    const { timeouts, options } = this;
    return got.extend({
      agent: agents,
      decompress: false,
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: true,
      maxRedirects: options.maxRedirects ?? 10,
      timeout: {
        lookup: timeouts.connectMs,
        connect: timeouts.connectMs,
        secureConnect: timeouts.connectMs,
        send: timeouts.connectMs,
        response: timeouts.firstByteMs,
      },
      headers: { 'accept-encoding': 'identity', 'user-agent': USER_AGENT },
      hooks: {
        beforeRedirect: [
          (next, response) => {
            if (origin(next.url as URL) === origin(response.url)) return;
            for (const name of Object.keys(next.headers)) {
              if (!PORTABLE_HEADERS.has(name.toLowerCase())) delete next.headers[name];
            }
          },
        ],
      },
    });
  }

  /** A request through `proxy` when one is given (its URL), else direct. */
  async stream(url: string, headers: Record<string, string>, signal: AbortSignal, method: 'GET' | 'HEAD' = 'GET', proxy: string | null = null): Promise<Request> {
    const got = await this.client();
    const agent = proxy ? await this.proxiedAgents(proxy) : undefined;
    if (signal.aborted) throw signal.reason;
    return got.stream(url, { method, headers, signal, ...(agent ? { agent } : {}) });
  }

  private proxiedAgents(proxy: string): Promise<AgentPair> {
    let agents = this.proxied.get(proxy);
    if (!agents) {
      agents = proxyAgents(proxy, this.agentOptions);
      this.proxied.set(proxy, agents);
      agents.then(
        (a) => this.settledProxyAgents.add(a.http).add(a.https),
        () => this.proxied.delete(proxy),
      );
    }
    return agents;
  }

  /** Open sockets per origin, for leak checks. */
  socketCount(): number {
    let n = 0;
    for (const agent of [...(this.agents ? [this.agents.http, this.agents.https] : []), ...this.settledProxyAgents]) {
      for (const list of Object.values(agent.sockets)) n += list?.length ?? 0;
      for (const list of Object.values(agent.freeSockets)) n += list?.length ?? 0;
    }
    return n;
  }

  close(): void {
    this.agents?.http.destroy();
    this.agents?.https.destroy();
    for (const agents of this.proxied.values()) agents.then((a) => (a.http.destroy(), a.https.destroy()), () => undefined);
  }

  /** The proxy agents made so far, for socket counts. */
  private readonly settledProxyAgents = new Set<http.Agent>();
}

/**
 * got's agents through one proxy: HTTP(S) proxies take plain-http requests in the absolute form and tunnel https
 * by CONNECT; SOCKS5 carries both, the host name resolved by the proxy (remote DNS). Loaded only when used.
 */
async function proxyAgents(proxy: string, options: http.AgentOptions): Promise<AgentPair> {
  const url = new URL(proxy);
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const [{ HttpProxyAgent }, { HttpsProxyAgent }] = await Promise.all([import('http-proxy-agent'), import('https-proxy-agent')]);
    return { http: new HttpProxyAgent(url, options), https: new HttpsProxyAgent(url, options) as unknown as https.Agent };
  }
  const { SocksProxyAgent } = await import('socks-proxy-agent');
  url.protocol = 'socks5h:';
  const agent = new SocksProxyAgent(url, options);
  // got's types want an https.Agent for https; agent-base's Agent serves both schemes.
  return { http: agent, https: agent as unknown as https.Agent };
}
