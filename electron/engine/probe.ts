import { parseContentRange } from './content-range';
import { BraidError, toBraidError } from './errors';
import { nameFromContentDisposition } from './filename';
import { awaitResponse } from './got-response';
import type { HttpClient } from './http-client';
import { contentLength, header, headOf, statusError, type ResponseHead } from './response';

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
    acceptRanges,
    etag: header(response, 'etag'),
    lastModified: header(response, 'last-modified'),
    date: header(response, 'date'),
    filename: nameFromContentDisposition(header(response, 'content-disposition') ?? undefined),
  };
}

async function head(client: HttpClient, url: string, headers: Record<string, string>, signal: AbortSignal): Promise<ProbeResult | null> {
  const request = client.stream(url, headers, signal, 'HEAD');
  try {
    const got = await awaitResponse(request);
    const response = headOf(got);
    // "Later, please" is an answer about the server, not about HEAD: honour it before sending anything else.
    if (response.status === 429 || (response.status === 503 && header(response, 'retry-after') !== null)) throw statusError(response);
    if (response.status < 200 || response.status > 299) return null;
    const size = contentLength(response);
    const ranges = /\bbytes\b/i.test(header(response, 'accept-ranges') ?? '');
    // Without a size and range support there is nothing to plan with: ask with a real GET instead.
    if (size === null || size === 0 || !ranges) return null;
    return describe(got.url, response, size, true);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof BraidError) throw error;
    const e = toBraidError(error, url);
    if (e.code === 'TOO_MANY_REDIRECTS') throw e;
    return null; // Servers refuse or botch HEAD more often than GET; the GET below decides.
  } finally {
    request.destroy();
  }
}

async function rangedGet(client: HttpClient, url: string, headers: Record<string, string>, signal: AbortSignal): Promise<ProbeResult> {
  const request = client.stream(url, { ...headers, range: 'bytes=0-0' }, signal);
  try {
    const got = await awaitResponse(request);
    const response = headOf(got);
    if (response.status === 206) {
      const range = parseContentRange(header(response, 'content-range') ?? undefined);
      if (range && range.first === 0 && range.complete !== null) return describe(got.url, response, range.complete, true);
      return describe(got.url, response, null, false);
    }
    if (response.status >= 200 && response.status <= 299) return describe(got.url, response, contentLength(response), false);
    throw statusError(response);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw toBraidError(error, url);
  } finally {
    // The probe needs only the head: never read (or pool a socket with) the rest of a 200 body.
    request.destroy();
  }
}

/**
 * What the server says about the file: size, range support, validators, name, final URL. HEAD first; a ranged
 * GET when HEAD is refused or leaves out what we need.
 */
export async function probe(client: HttpClient, url: string, headers: Record<string, string>, signal: AbortSignal): Promise<ProbeResult> {
  const result = (await head(client, url, headers, signal)) ?? (await rangedGet(client, url, headers, signal));
  if (result.size !== null && result.size > Number.MAX_SAFE_INTEGER) throw new BraidError('BAD_RESPONSE', 'absurd file size');
  return result;
}
