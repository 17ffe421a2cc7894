import { parseContentRange, parseUnsatisfiedRange } from './content-range';
import { BraidError, neverReachedServer, toBraidError } from './errors';
import { nameFromContentDisposition } from './filename';
import { awaitResponse } from './got-response';
import { USER_AGENT, type HttpClient } from './http-client';
import type { ConnectionPool } from './receive/connection-pool';
import { NotForFastPath } from './receive/errors';
import { openRange } from './receive/range-request';
import { contentCoding, contentLength, header, headOf, statusError, type ResponseHead } from './response';

export interface ProbeResult {
  finalUrl: string;
  size: number | null;
  acceptRanges: boolean;
  etag: string | null;
  lastModified: string | null;
  date: string | null;
  /** Sanitised name from Content-Disposition, if the server offered one. */
  filename: string | null;
}

function describe(finalUrl: string, response: ResponseHead, size: number | null, acceptRanges: boolean): ProbeResult {
  return {
    finalUrl,
    size,
    // A coded file is saved as it is sent, whole and in one answer (see classifyRangeAnswer): no ranges, no resume.
    acceptRanges: acceptRanges && contentCoding(response) === null,
    etag: header(response, 'etag'),
    lastModified: header(response, 'last-modified'),
    date: header(response, 'date'),
    filename: nameFromContentDisposition(header(response, 'content-disposition') ?? undefined),
  };
}

/** Where the probe's requests go: Braid's receive path first, got for redirects and anything unusual. */
export interface ProbeClients {
  http: HttpClient;
  receivePool: ConnectionPool | null;
  firstByteTimeoutMs: number;
  /** The proxy for a request to a URL (null: direct). */
  proxyFor(url: string): Promise<string | null>;
}

/** An answer's head, the URL that gave it (after redirects), and how to let go of the connection. */
interface Answer {
  finalUrl: string;
  head: ResponseHead;
  close(): void;
}

async function ask(clients: ProbeClients, method: 'GET' | 'HEAD', url: string, headers: Record<string, string>, signal: AbortSignal): Promise<Answer> {
  const proxy = await clients.proxyFor(url);
  if (clients.receivePool) {
    try {
      const response = await openRange(clients.receivePool, {
        url,
        method,
        headers: { 'user-agent': USER_AGENT, ...headers },
        firstByteTimeoutMs: clients.firstByteTimeoutMs,
        signal,
        proxy,
      });
      return { finalUrl: url, head: headOf(response.head), close: () => response.stop() };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      // A redirect, a coding, a head the strict parser refuses: got decides, as it follows and reads them.
      if (!(error instanceof NotForFastPath) && !String((error as { code?: unknown }).code).startsWith('HPE_')) throw error;
    }
  }
  const request = await clients.http.stream(url, headers, signal, method, proxy);
  try {
    const response = await awaitResponse(request);
    return { finalUrl: response.url, head: headOf(response), close: () => request.destroy() };
  } catch (error) {
    request.destroy();
    throw error;
  }
}

async function head(clients: ProbeClients, url: string, headers: Record<string, string>, signal: AbortSignal): Promise<ProbeResult | null> {
  let answer: Answer | null = null;
  try {
    answer = await ask(clients, 'HEAD', url, headers, signal);
    const response = answer.head;
    // "Later, please" is an answer about the server, not about HEAD: honour it before sending anything else.
    if (response.status === 429 || (response.status === 503 && header(response, 'retry-after') !== null)) throw statusError(response);
    if (response.status < 200 || response.status > 299) return null;
    const size = contentLength(response);
    const ranges = /\bbytes\b/i.test(header(response, 'accept-ranges') ?? '');
    // Without a size and range support there is nothing to plan with: ask with a real GET instead.
    if (size === null || size === 0 || !ranges) return null;
    return describe(answer.finalUrl, response, size, true);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof BraidError) throw error;
    const e = toBraidError(error, url);
    if (e.code === 'TOO_MANY_REDIRECTS' || neverReachedServer(error)) throw e;
    return null; // Servers refuse or botch HEAD more often than GET; the GET below decides.
  } finally {
    answer?.close();
  }
}

async function rangedGet(clients: ProbeClients, url: string, headers: Record<string, string>, signal: AbortSignal): Promise<ProbeResult> {
  let answer: Answer | null = null;
  try {
    answer = await ask(clients, 'GET', url, { ...headers, range: 'bytes=0-0' }, signal);
    const response = answer.head;
    if (response.status === 206) {
      const range = parseContentRange(header(response, 'content-range') ?? undefined);
      if (range && range.first === 0 && range.complete !== null) return describe(answer.finalUrl, response, range.complete, true);
      return describe(answer.finalUrl, response, null, false);
    }
    if (response.status >= 200 && response.status <= 299) return describe(answer.finalUrl, response, contentLength(response), false);
    // No byte 0 to send: the file is empty (`bytes */0`).
    if (response.status === 416 && parseUnsatisfiedRange(header(response, 'content-range') ?? undefined) === 0) {
      return describe(answer.finalUrl, response, 0, false);
    }
    throw statusError(response);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw toBraidError(error, url);
  } finally {
    // The probe needs only the head: never read (or pool a socket with) the rest of a 200 body.
    answer?.close();
  }
}

/**
 * What the server says about the file: size, range support, validators, name, final URL. HEAD first; a ranged
 * GET when HEAD is refused or leaves out what we need, or when `withoutHead` says its HEAD answers misled before.
 */
export async function probe(clients: ProbeClients, url: string, headers: Record<string, string>, signal: AbortSignal, withoutHead = false): Promise<ProbeResult> {
  const result = (withoutHead ? null : await head(clients, url, headers, signal)) ?? (await rangedGet(clients, url, headers, signal));
  if (result.size !== null && result.size > Number.MAX_SAFE_INTEGER) throw new BraidError('BAD_RESPONSE', 'absurd file size');
  return result;
}
