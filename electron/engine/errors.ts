import type { DownloadError, ErrorCode } from '../../shared/types';

/** An engine failure with a stable code; `retryable` says whether trying again may help. */
export class BraidError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** Milliseconds the server asked us to wait (Retry-After), when it did. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'BraidError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }

  toJSON(): DownloadError {
    return { code: this.code, message: this.message };
  }
}

/** A server that sends a byte now and then: what it sent is kept, but does not count as progress for retries. */
export class TrickleError extends BraidError {
  constructor(message: string) {
    super('TIMEOUT', message, { retryable: true });
    this.name = 'TrickleError';
  }
}

/**
 * The server's file is no longer the one whose bytes we hold (new validator, new size, a 200 to a range):
 * the download must start over, never splice.
 */
export class RestartRequired extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RestartRequired';
  }
}

/** The server answered a range request with the whole body although the file did not change. */
export class RangeIgnored extends Error {
  constructor() {
    super('the server ignored the Range header');
    this.name = 'RangeIgnored';
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
  'EAI_AGAIN', 'ENOTFOUND', 'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Maps whatever a request threw to a BraidError with a message a person understands. */
export function toBraidError(error: unknown, url?: string): BraidError {
  if (error instanceof BraidError) return error;
  const e = error as { code?: string; message?: string; name?: string } | undefined;
  const code = e?.code ?? '';
  const where = url ? ` (${safeOrigin(url)})` : '';
  if (code === 'ETIMEDOUT' || e?.name === 'TimeoutError') {
    return new BraidError('TIMEOUT', `the server did not answer in time${where}: ${e?.message ?? ''}`.trim(), { retryable: true, cause: error });
  }
  if (code === 'ERR_TOO_MANY_REDIRECTS' || e?.name === 'MaxRedirectsError') {
    return new BraidError('TOO_MANY_REDIRECTS', `too many redirects${where}`, { cause: error });
  }
  if (code === 'ENOTFOUND') {
    return new BraidError('NETWORK_ERROR', `host not found${where}: DNS has no such name`, { retryable: true, cause: error });
  }
  if (code === 'EAI_AGAIN') {
    return new BraidError('NETWORK_ERROR', `could not look up the host name${where}: no answer from DNS`, { retryable: true, cause: error });
  }
  if (code === 'ECONNREFUSED') {
    return new BraidError('NETWORK_ERROR', `connection refused${where}`, { retryable: true, cause: error });
  }
  if (code.startsWith('HPE_')) {
    return new BraidError('BAD_RESPONSE', `the server sent a malformed HTTP response${where} (${code})`, { retryable: true, cause: error });
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new BraidError('DISK_FULL', 'the disk is full', { cause: error });
  }
  if (NETWORK_CODES.has(code) || e?.name === 'ReadError' || e?.name === 'RequestError') {
    return new BraidError('NETWORK_ERROR', `connection lost${where}: ${e?.message ?? code}`, { retryable: true, cause: error });
  }
  if (code === 'ELOOP') {
    return new BraidError('FILE_ERROR', `a link was planted where the file goes; Braid never writes through one: ${e?.message ?? code}`, { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOENT' || code === 'EISDIR') {
    return new BraidError('FILE_ERROR', `cannot write the file: ${e?.message ?? code}`, { cause: error });
  }
  return new BraidError('NETWORK_ERROR', e?.message ?? String(error), { retryable: true, cause: error });
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}
