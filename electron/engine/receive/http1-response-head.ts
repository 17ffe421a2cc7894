import { protocolError } from './http1-protocol-error';

// What the lines of an HTTP/1.1 response head mean (RFC 9112 §4-6, RFC 9110 §8.6): the status line, the
// field lines, and from them how the body is framed and whether the connection stays open. Pure functions of
// text, kept apart from ResponseParser, which only finds the lines and the body's bytes in what it is fed.

/** How the body's end is found: none at all, a byte count, chunks, or the server closing the connection. */
export type BodyFraming = 'none' | 'length' | 'chunked' | 'close';

export interface ResponseHead {
  statusCode: number;
  statusMessage: string;
  httpVersion: '1.0' | '1.1';
  /** Lowercase names; a field sent more than once is joined with ", ". */
  headers: Record<string, string>;
  framing: BodyFraming;
  /** Content-Length when sent (also on HEAD and 304 answers, where it frames nothing). */
  contentLength: number | null;
  /** Whether the connection may carry another request once this body is read to its end. */
  keepAlive: boolean;
}

export interface StatusLine {
  httpVersion: '1.0' | '1.1';
  statusCode: number;
  statusMessage: string;
}

/** A field line as received: lowercase name, value without the surrounding whitespace. */
export type Field = [name: string, value: string];

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Controls other than HTAB may not appear in a field value or reason phrase. */
const FORBIDDEN_IN_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: (.*))?$/;

export function parseStatusLine(text: string): StatusLine {
  if (!text.startsWith('HTTP/')) throw protocolError('HPE_INVALID_CONSTANT', 'the answer is not HTTP');
  const m = STATUS_LINE.exec(text);
  if (!m) {
    const version = /^HTTP\/1\.[01] /.test(text);
    throw protocolError(version ? 'HPE_INVALID_STATUS' : 'HPE_INVALID_VERSION', `invalid status line: ${JSON.stringify(text.slice(0, 64))}`);
  }
  const reason = m[3] ?? '';
  if (FORBIDDEN_IN_VALUE.test(reason)) throw protocolError('HPE_INVALID_STATUS', 'control character in the reason phrase');
  return { httpVersion: m[1] === '0' ? '1.0' : '1.1', statusCode: Number(m[2]), statusMessage: reason };
}

/** Adds one field line of a head or trailer section to `fields`; a folded line continues the one before. */
export function addFieldLine(fields: Field[], text: string): void {
  const first = text.charCodeAt(0);
  if (first === 0x20 || first === 0x09) {
    // obs-fold: a user agent must read it as a space (RFC 9112 §5.2).
    const last = fields[fields.length - 1];
    const more = text.trim();
    if (!last || FORBIDDEN_IN_VALUE.test(more)) throw protocolError('HPE_INVALID_HEADER_TOKEN', 'invalid folded header line');
    last[1] = last[1] && more ? `${last[1]} ${more}` : last[1] + more;
    return;
  }
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon) : '';
  if (!TOKEN.test(name)) throw protocolError('HPE_INVALID_HEADER_TOKEN', `invalid header name: ${JSON.stringify(text.slice(0, 64))}`);
  const value = text.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  if (FORBIDDEN_IN_VALUE.test(value)) throw protocolError('HPE_INVALID_HEADER_TOKEN', `invalid value of header ${name}`);
  fields.push([name.toLowerCase(), value]);
}

/** An interim answer (100 Continue, 103 Early Hints): the real one follows on the same connection. */
export function isInterim(statusCode: number): boolean {
  return statusCode >= 100 && statusCode < 200 && statusCode !== 101;
}

/** The final head of an answer to `method`, with its body framing; throws on framing that cannot be trusted. */
export function responseHead(method: 'GET' | 'HEAD', status: StatusLine, fields: Field[]): ResponseHead {
  const { statusCode, httpVersion } = status;
  const headers = fieldMap(fields);
  const contentLength = contentLengthOf(fields);
  const transferEncoding = headers['transfer-encoding'] ?? null;
  if (transferEncoding !== null && contentLength !== null) {
    // RFC 9112 lets Transfer-Encoding win, but a response with both was made by something broken or hostile.
    throw protocolError('HPE_INVALID_TRANSFER_ENCODING', 'Content-Length with Transfer-Encoding');
  }
  if (transferEncoding !== null && httpVersion === '1.0') {
    throw protocolError('HPE_INVALID_TRANSFER_ENCODING', 'Transfer-Encoding in an HTTP/1.0 response');
  }
  let framing: BodyFraming;
  if (method === 'HEAD' || statusCode === 101 || statusCode === 204 || statusCode === 304) framing = 'none';
  else if (transferEncoding !== null) framing = chunkedLast(transferEncoding) ? 'chunked' : 'close';
  else if (contentLength !== null) framing = contentLength === 0 ? 'none' : 'length';
  else framing = 'close';
  const connection = (headers['connection'] ?? '').toLowerCase().split(',').map((t) => t.trim());
  const persistent = httpVersion === '1.1' ? !connection.includes('close') : connection.includes('keep-alive');
  return {
    statusCode,
    statusMessage: status.statusMessage,
    httpVersion,
    headers,
    framing,
    contentLength,
    keepAlive: persistent && framing !== 'close' && statusCode !== 101,
  };
}

export function fieldMap(fields: Field[]): Record<string, string> {
  // No prototype: a field named `__proto__` is just a field.
  const map: Record<string, string> = Object.create(null);
  for (const [name, value] of fields) {
    const before = map[name];
    map[name] = before === undefined ? value : `${before}, ${value}`;
  }
  return map;
}

/** Content-Length, repeated or listed only with one value (RFC 9110 §8.6); anything else frames nothing safely. */
function contentLengthOf(fields: Field[]): number | null {
  let length: number | null = null;
  for (const [name, value] of fields) {
    if (name !== 'content-length') continue;
    for (const item of value.split(',')) {
      const text = item.trim();
      if (!/^\d+$/.test(text)) throw protocolError('HPE_INVALID_CONTENT_LENGTH', `invalid Content-Length: ${JSON.stringify(value.slice(0, 32))}`);
      const n = Number(text);
      if (!Number.isSafeInteger(n)) throw protocolError('HPE_INVALID_CONTENT_LENGTH', 'Content-Length too large');
      if (length !== null && n !== length) throw protocolError('HPE_UNEXPECTED_CONTENT_LENGTH', 'differing Content-Length values');
      length = n;
    }
  }
  return length;
}

/**
 * Whether chunked is the final transfer coding. Chunked twice, or an empty coding, is malformed; chunked before
 * another coding leaves the body to end when the server closes (RFC 9112 §6.3).
 */
function chunkedLast(transferEncoding: string): boolean {
  const codings = transferEncoding.toLowerCase().split(',').map((c) => c.split(';')[0]!.trim());
  const chunked = codings.filter((c) => c === 'chunked').length;
  if (codings.some((c) => !TOKEN.test(c)) || chunked > 1) {
    throw protocolError('HPE_INVALID_TRANSFER_ENCODING', `invalid Transfer-Encoding: ${JSON.stringify(transferEncoding.slice(0, 64))}`);
  }
  return codings[codings.length - 1] === 'chunked';
}
