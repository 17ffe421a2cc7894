import type { Got, Request } from 'got';
import http from 'node:http';
import https from 'node:https';

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

function origin(url: URL | string): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  return `${u.protocol}//${u.host}`;
}

/**
 * One got instance over keep-alive agents (sockets capped per origin). Nothing is decompressed (offsets are
 * into the bytes on the wire), nothing is retried by got (the engine owns retry and resume), HTTP errors are
 * answers to inspect, not exceptions. got is loaded with the first request that needs it: Braid's own receive
 * path answers the common ones, and got's modules are a good part of a small process's memory.
 */
export class HttpClient {
  private got: Promise<Got> | null = null;
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(
    private readonly timeouts: HttpTimeouts,
    private readonly options: { maxSocketsPerOrigin?: number; maxRedirects?: number } = {},
  ) {
    const maxSockets = options.maxSocketsPerOrigin ?? 32;
    const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' as const, timeout: timeouts.idleSocketMs };
    this.agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  }

  private client(): Promise<Got> {
    this.got ??= import('got').then(({ default: got }) => this.configure(got));
    return this.got;
  }

  private configure(got: Got): Got {
    const { timeouts, options } = this;
    return got.extend({
      agent: this.agents,
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

  async stream(url: string, headers: Record<string, string>, signal: AbortSignal, method: 'GET' | 'HEAD' = 'GET'): Promise<Request> {
    const got = await this.client();
    if (signal.aborted) throw signal.reason;
    return got.stream(url, { method, headers, signal });
  }

  /** Open sockets per origin, for leak checks. */
  socketCount(): number {
    let n = 0;
    for (const agent of [this.agents.http, this.agents.https]) {
      for (const list of Object.values(agent.sockets)) n += list?.length ?? 0;
      for (const list of Object.values(agent.freeSockets)) n += list?.length ?? 0;
    }
    return n;
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
