import type { DownloadError, ErrorCode, StopReason } from '../../shared/types';

/** An engine failure with a stable code; `retryable` says whether trying again may help. */
export class BraidError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** Milliseconds the server asked us to wait (Retry-After), when it did. */
  readonly retryAfterMs: number | undefined;
  /** Progress made just before this error does not reset the attempts (a trickle keeps a connection "alive"). */
  readonly countsAsProgress: boolean;
  /** The HTTP status that caused it, when a server's answer did. */
  readonly status: number | undefined;
  /**
   * What is true only if nothing else is tried after this error (the bytes that arrived stay in the `.part`): said
   * when the download fails with it, left out when another mirror takes over.
   */
  readonly ifLast: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { retryable?: boolean; retryAfterMs?: number; cause?: unknown; countsAsProgress?: boolean; status?: number; ifLast?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'BraidError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.countsAsProgress = options.countsAsProgress ?? true;
    this.status = options.status;
    this.ifLast = options.ifLast;
  }

  toJSON(): DownloadError {
    return this.status === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, status: this.status };
  }
}

/** A server that sends a byte now and then: what it sent is kept, but does not count as progress for retries. */
export function trickleError(message: string): BraidError {
  return new BraidError('TIMEOUT', message, { retryable: true, countsAsProgress: false });
}

/**
 * The one signal that the bytes on disk can no longer be continued from this server's answers: the file
 * changed (new validator, new size, a seam that does not match) or the server stopped honouring ranges. The
 * download starts over (committing the new plan first), never splices.
 */
export class StartOver extends Error {
  constructor(
    readonly reason: string,
    /** The server ignored the Range header: start over as one stream, without asking the server again. */
    readonly rangesIgnored = false,
  ) {
    super(reason);
    this.name = 'StartOver';
  }
}

/** The failure of a download that started over `times` times and would have to again. */
export function startedOverTooOften(startOver: StartOver, times: number): BraidError {
  return new BraidError('CANNOT_RESUME', `${startOver.message}; started over ${times} time${times === 1 ? '' : 's'}`);
}

/** The download was stopped on purpose (pause, remove, quit): not a failure of anything. */
export class JobStopped extends Error {
  constructor(readonly reason: StopReason) {
    super(`stopped (${reason})`);
    this.name = 'JobStopped';
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
  'EAI_AGAIN', 'ENOTFOUND', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_SOCKET_CLOSED',
]);

/** What a TLS handshake refuses: retrying the same server will not change its certificate. */
const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_REVOKED',
]);

/** A certificate from an issuer this machine does not trust (self-signed, a company's own authority). */
const UNKNOWN_ISSUER_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

/** Codes of not reaching a server that could answer: its name, its address, its certificate. */
const UNREACHED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ENOTFOUND', ...CERTIFICATE_CODES]);

/**
 * The request never reached a server that could answer it: the name, the address, the connection or the
 * certificate failed. Asking the same server another way (a GET after a HEAD) would fail the same way, and take
 * as long again.
 */
export function neverReachedServer(error: unknown): boolean {
  const e = (error instanceof BraidError ? error.cause : error) as { code?: unknown; event?: unknown; connecting?: unknown } | undefined;
  if (typeof e?.code === 'string' && UNREACHED_CODES.has(e.code)) return true;
  // A connect deadline: got's TimeoutError names the phase it was in, the receive path marks its own.
  return e?.event === 'lookup' || e?.event === 'connect' || e?.event === 'secureConnect' || e?.connecting === true;
}

/** The disk's refusals, in words: Node's own messages (`ENOENT: no such file or directory, open '…'`) are a programmer's. */
const FILE_CODES: ReadonlyMap<string, string> = new Map([
  ['EACCES', 'permission denied'],
  ['EPERM', 'permission denied'],
  ['EROFS', 'the disk is read-only'],
  ['ENOENT', 'no such file or folder (removed meanwhile, or a place that cannot hold files)'],
  ['EISDIR', 'a folder has that name'],
  ['EIO', 'the disk reported an input/output error'],
  ['EBADF', 'the file was closed under Braid'],
  ['ENOTDIR', 'part of the path is a file, not a folder'],
  ['ENAMETOOLONG', 'the name is too long for the disk'],
  ['EFBIG', "the file is larger than the disk's file system allows"],
]);

/**
 * Maps whatever a request, the disk or the store threw to a BraidError with a message a person understands.
 * Anything not recognised is INTERNAL: never retried, never a reason to blame the server or switch mirror.
 */
export function toBraidError(error: unknown, url?: string): BraidError {
  if (error instanceof BraidError) return error;
  const e = error as { code?: unknown; message?: string; name?: string } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  const where = url ? ` (${safeOrigin(url)})` : '';
  const text = e?.message ?? code;
  if (code === 'ETIMEDOUT' || e?.name === 'TimeoutError') {
    return new BraidError('TIMEOUT', `the server did not answer in time${where}: ${e?.message ?? ''}`.trim(), { retryable: true, cause: error });
  }
  if (code === 'ERR_TOO_MANY_REDIRECTS' || e?.name === 'MaxRedirectsError') {
    return new BraidError('TOO_MANY_REDIRECTS', `too many redirects${where}`, { cause: error });
  }
  if (code === 'ERR_UNSUPPORTED_PROTOCOL') {
    // got met it in a redirect: asking again goes to the same place.
    const scheme = /protocol:?\s*(\S+)/i.exec(text)?.[1] ?? 'another scheme';
    return new BraidError('UNSUPPORTED_SCHEME', `the server redirected to a scheme Braid does not download${where}: ${scheme} (only http and https)`, { cause: error });
  }
  if (code === 'ERR_INVALID_URL') {
    // Every URL Braid asks for, and every proxy it goes through, was checked before: the one got could not read
    // came in a redirect's Location.
    return new BraidError('BAD_RESPONSE', `the server redirected to an address that is not a URL${where}`, { cause: error });
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
  if (/socks5? authentication failed|no acceptable authentication/i.test(text)) {
    return new BraidError('PROXY_ERROR', `the SOCKS proxy refused the user name or password${where}`, { cause: error });
  }
  if (code.startsWith('HPE_')) {
    return new BraidError('BAD_RESPONSE', `the server sent a malformed HTTP response${where} (${code})`, { retryable: true, cause: error });
  }
  if (CERTIFICATE_CODES.has(code)) {
    // Node, and so Braid, trusts the authorities in NODE_EXTRA_CA_CERTS too: the way to trust one's own.
    const trust = UNKNOWN_ISSUER_CODES.has(code)
      ? '; if you trust its issuer (a server of your own, a company network), give Braid that certificate in NODE_EXTRA_CA_CERTS=FILE'
      : '';
    return new BraidError('NETWORK_ERROR', `the server's certificate was refused${where}: ${text}${trust}`, { cause: error });
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new BraidError('DISK_FULL', 'the disk is full', { cause: error });
  }
  if (NETWORK_CODES.has(code) || e?.name === 'ReadError' || e?.name === 'RequestError') {
    return new BraidError('NETWORK_ERROR', `connection lost${where}: ${text}`, { retryable: true, cause: error });
  }
  if (code === 'ELOOP') {
    return new BraidError('FILE_ERROR', `a link was planted where the file goes; Braid never writes through one: ${text}`, { cause: error });
  }
  const refusal = FILE_CODES.get(code);
  if (refusal) {
    const path = typeof (error as { path?: unknown }).path === 'string' ? ` ${(error as { path: string }).path}` : ' the file';
    return new BraidError('FILE_ERROR', `cannot write${path}: ${refusal}`, { cause: error });
  }
  return new BraidError('INTERNAL', `internal error: ${text || String(error)}`, { cause: error });
}

/**
 * An error as both faces send it (IPC and the WebSocket): a BraidError keeps its code, anything else is INTERNAL
 * with its message, never mistaken for bad input.
 */
export function toWireError(error: unknown): DownloadError {
  if (error instanceof BraidError) return error.toJSON();
  const e = error as { message?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return { code: 'INTERNAL', message: `internal error: ${message}` };
}

/** The `code` of a Node system error (EEXIST, ENOENT, ...), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}
