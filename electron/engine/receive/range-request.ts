import { originOf, type ConnectionPool } from './connection-pool';
import { NotForFastPath } from './errors';
import { RangeResponse } from './range-response';
import { requestHead } from './request-head';

// Opening a request on the fast path: which URLs it takes, the request head, and a second try when a kept-alive
// connection turns out to be closed. Reading the answer is range-response.ts's business; its types are
// re-exported so callers keep one import.
export { RangeResponse, type BodyEnd } from './range-response';
export type { BodyConsumer } from './body-delivery';

export interface RangeRequestOptions {
  url: URL | string;
  method?: 'GET' | 'HEAD';
  /** Range, If-Range and the user's headers; Host and `Accept-Encoding: identity` are added. */
  headers?: Record<string, string>;
  /** From the request being written to its response head being complete. */
  firstByteTimeoutMs: number;
  /** Aborting destroys the socket; the pending promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The proxy to connect through (its URL), or null / absent for a direct connection. */
  proxy?: string | null;
  /** The most one read may bring, asked before each read (a speed limit); absent: a whole read buffer. */
  readLimit?: () => number;
}

/**
 * Sends one request over a pooled connection and resolves with its response once the head is complete, before
 * any body byte is handed on. Rejects with NotForFastPath for an answer to hand over to got, with a Node-style
 * network error (ECONNRESET, ETIMEDOUT, ...) or an HttpProtocolError (HPE_*) otherwise. A kept-alive socket
 * that the server closed before answering is replaced once by a new one (the request is a GET: safe to repeat).
 */
export async function openRange(pool: ConnectionPool, options: RangeRequestOptions): Promise<RangeResponse> {
  const url = typeof options.url === 'string' ? new URL(options.url) : options.url;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new NotForFastPath(`the ${url.protocol} scheme`);
  if (url.username || url.password) throw new NotForFastPath('credentials in the URL');
  const method = options.method ?? 'GET';
  const request = requestHead(method, url, options.headers ?? {});
  const origin = originOf(url, options.proxy ?? null);
  for (let attempt = 0; ; attempt++) {
    const connection = await pool.acquire(origin, options.signal, { fresh: attempt > 0 });
    const response = new RangeResponse(pool, connection, method, options);
    try {
      return await response.send(request);
    } catch (error) {
      // Only a reused connection can be stale: the second try is on a fresh one, and its failure is final.
      if (attempt > 0 || !response.closedWhileIdle) throw error;
    }
  }
}
