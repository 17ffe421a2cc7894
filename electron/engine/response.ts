import { BraidError } from './errors';
import { reasonPhrase } from './reason-phrase';
import { parseRetryAfter } from './retry-delay';

/** A response's status line and headers (names in lower case), whichever client read them. */
export interface ResponseHead {
  status: number;
  statusMessage: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The head of a got response (or anything shaped like Node's IncomingMessage). */
export function headOf(response: { statusCode: number; statusMessage?: string; headers: Record<string, string | string[] | undefined> }): ResponseHead {
  return { status: response.statusCode, statusMessage: response.statusMessage ?? '', headers: response.headers };
}

/**
 * The content coding of an answer's body (`gzip`, ...), null when it is the file's bytes as they are. Braid asks
 * for `identity`; a server that codes anyway (a `.tar.gz` served with `Content-Encoding: gzip`) sends bytes whose
 * offsets are not the file's own, and which another answer may code otherwise.
 */
export function contentCoding(head: ResponseHead): string | null {
  const coding = header(head, 'content-encoding')?.trim().toLowerCase() ?? '';
  return coding === '' || coding === 'identity' ? null : coding;
}

/** Statuses that say "try again later" rather than "no". */
const TRANSIENT = new Set([408, 425, 429, 500, 502, 503, 504]);

/** The error for a status that is not a success, with Retry-After when the server gave one. */
export function statusError(head: ResponseHead): BraidError {
  const text = `${head.status} ${head.statusMessage || reasonPhrase(head.status)}`.trim();
  if (head.status === 407) {
    return new BraidError('PROXY_ERROR', `the proxy refused the request: ${text} (the user name or password in the proxy URL is missing or wrong)`);
  }
  const retryAfter = parseRetryAfter(header(head, 'retry-after') ?? undefined);
  if (TRANSIENT.has(head.status)) {
    return new BraidError('HTTP_ERROR', `the server answered ${text}`, { retryable: true, retryAfterMs: retryAfter ?? undefined, status: head.status });
  }
  return new BraidError('HTTP_ERROR', `the server answered ${text}`, { status: head.status });
}

export function header(head: ResponseHead, name: string): string | null {
  const value = head.headers[name];
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

/** Content-Length as a safe integer; null when absent or not a plain number. */
export function contentLength(head: ResponseHead): number | null {
  const text = header(head, 'content-length');
  if (text === null || !/^\d{1,16}$/.test(text.trim())) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}
