import type { ResponseHead } from './http1-response-head';

// What the fast path reads from a response head besides the range itself: whether it takes the answer at all,
// and how long the server keeps the connection once the body is read. Pure, so they test without a socket.

/** Why an answer is not for the fast path, or null when it is. */
export function unusualAnswer(head: ResponseHead): string | null {
  const status = head.statusCode;
  if (status < 200) return `a ${status} answer`;
  if (status >= 300 && status < 400) return `a ${status} redirect`;
  const te = head.headers['transfer-encoding'];
  if (te !== undefined && te.trim().toLowerCase() !== 'chunked') return `Transfer-Encoding: ${te}`;
  const ce = head.headers['content-encoding'];
  if (ce !== undefined && ce.trim() !== '' && ce.trim().toLowerCase() !== 'identity') return `Content-Encoding: ${ce}`;
  return null;
}

/**
 * How long the server said it keeps an idle connection (`Keep-Alive: timeout=N`), less a second so we never
 * send a request just as it closes; undefined when it did not say.
 */
export function idleHint(head: ResponseHead): number | undefined {
  const m = /(?:^|[,;\s])timeout=(\d+)/i.exec(head.headers['keep-alive'] ?? '');
  return m ? Number(m[1]) * 1000 - 1000 : undefined;
}
