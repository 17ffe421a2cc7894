import type { ResponseHead } from './http1-response-head';

/** An Error carrying a Node-style `code` (ECONNRESET, ETIMEDOUT, ...), which `toBraidError` already understands. */
export function networkError(code: string, message: string, cause?: unknown): Error & { code: string } {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
}

/**
 * The answer is one the fast path does not handle (a redirect, a transfer or content coding, a protocol
 * switch, credentials in the URL): the caller asks again through got instead of guessing.
 */
export class NotForFastPath extends Error {
  readonly code = 'NOT_FOR_FAST_PATH';

  constructor(
    readonly reason: string,
    /** The head that was refused, when there was one. */
    readonly head: ResponseHead | null = null,
  ) {
    super(`not for the fast path: ${reason}`);
    this.name = 'NotForFastPath';
  }
}
