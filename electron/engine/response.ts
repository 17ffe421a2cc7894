import type { PlainResponse, Request } from 'got';
import { STATUS_CODES } from 'node:http';
import { BraidError } from './errors';
import { parseRetryAfter } from './retry-delay';

/** Resolves with the response head of a got stream, or rejects with what went wrong before it. */
export function awaitResponse(request: Request): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const onResponse = (response: PlainResponse) => {
      request.off('error', onError);
      resolve(response);
    };
    const onError = (error: unknown) => {
      request.off('response', onResponse);
      reject(error);
    };
    request.once('response', onResponse);
    request.once('error', onError);
  });
}

/** Statuses that say "try again later" rather than "no". */
const TRANSIENT = new Set([408, 425, 429, 500, 502, 503, 504]);

/** The error for a status that is not a success, with Retry-After when the server gave one. */
export function statusError(response: PlainResponse): BraidError {
  const status = response.statusCode;
  const text = `${status} ${response.statusMessage || STATUS_CODES[status] || ''}`.trim();
  const retryAfter = parseRetryAfter(header(response, 'retry-after') ?? undefined);
  if (TRANSIENT.has(status)) {
    return new BraidError('HTTP_ERROR', `the server answered ${text}`, { retryable: true, retryAfterMs: retryAfter ?? undefined });
  }
  return new BraidError('HTTP_ERROR', `the server answered ${text}`);
}

export function header(response: PlainResponse, name: string): string | null {
  const value = response.headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

/** Content-Length as a safe integer; null when absent or not a plain number. */
export function contentLength(response: PlainResponse): number | null {
  const text = header(response, 'content-length');
  if (text === null || !/^\d{1,16}$/.test(text.trim())) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}
