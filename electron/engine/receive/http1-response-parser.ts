/**
 * A strict, incremental HTTP/1.1 response parser (RFC 9112) for the receive path. It is fed slices of a buffer
 * the caller reuses for every read, so it never keeps a reference to what it is given: body bytes are handed
 * on as views of the caller's buffer during `feed`, and only the few bytes of a head or trailer line are copied.
 *
 * Error codes are llhttp's names (what Node's own parser reports), so an error maps the same way whichever
 * parser met the response.
 */

export type ProtocolErrorCode =
  | 'HPE_HEADER_OVERFLOW'
  | 'HPE_INVALID_CONSTANT'
  | 'HPE_INVALID_VERSION'
  | 'HPE_INVALID_STATUS'
  | 'HPE_INVALID_HEADER_TOKEN'
  | 'HPE_INVALID_CONTENT_LENGTH'
  | 'HPE_UNEXPECTED_CONTENT_LENGTH'
  | 'HPE_INVALID_TRANSFER_ENCODING'
  | 'HPE_INVALID_CHUNK_SIZE'
  | 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
  | 'HPE_CR_EXPECTED'
  | 'HPE_LF_EXPECTED';

/** A response that breaks HTTP/1.1's framing rules; nothing after it on the connection can be trusted. */
export class HttpProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpProtocolError';
  }
}

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

export type BodyHandler = (buffer: Buffer, start: number, end: number) => void;

/** Node's limit for a response head (its `--max-http-header-size` default). */
export const MAX_HEAD_SIZE = 16 * 1024;

const CR = 13;
const LF = 10;

// Parser states.
const HEAD = 0;
const LENGTH = 1;
const CLOSE = 2;
const CHUNK_SIZE = 3;
const CHUNK_SIZE_SPACE = 4;
const CHUNK_EXTENSION = 5;
const CHUNK_SIZE_LF = 6;
const CHUNK_DATA = 7;
const CHUNK_DATA_CR = 8;
const CHUNK_DATA_LF = 9;
const TRAILERS = 10;
const DONE = 11;
const FAILED = 12;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Controls other than HTAB may not appear in a field value or reason phrase. */
const FORBIDDEN_IN_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: (.*))?$/;
/** Largest chunk size before one more hex digit could leave the safe integers. */
const CHUNK_SIZE_CEILING = Math.floor(Number.MAX_SAFE_INTEGER / 16);

const noBody: BodyHandler = () => undefined;

export class ResponseParser {
  /** The final (non-1xx) head, once it is complete. */
  head: ResponseHead | null = null;
  /** Trailer fields of a chunked body, once it is complete. */
  trailers: Record<string, string> | null = null;
  /** Receives body bytes as views of the buffer being fed; the view is only valid during the call. */
  onBody: BodyHandler = noBody;

  private state = HEAD;
  private failure: HttpProtocolError | null = null;
  private method: 'GET' | 'HEAD' = 'GET';
  /** Bytes still to come of a Content-Length body or of the current chunk. */
  private remaining = 0;
  private chunkDigits = 0;
  private extensionBytes = 0;

  // Head and trailer lines are copied here, one line at a time.
  private readonly line: Buffer;
  private lineLength = 0;
  private afterCR = false;
  private headBytes = 0;
  private statusSeen = false;
  private statusCode = 0;
  private statusMessage = '';
  private httpVersion: '1.0' | '1.1' = '1.1';
  private fields: [string, string][] = [];
  /** Set when `feed` must return right after the final head, so the caller can look at it first. */
  private headJustEnded = false;

  constructor(private readonly maxHeadSize = MAX_HEAD_SIZE) {
    this.line = Buffer.allocUnsafe(maxHeadSize);
  }

  /** Readies the parser for the answer to a new request on the same connection. */
  begin(method: 'GET' | 'HEAD'): void {
    this.method = method;
    this.head = null;
    this.trailers = null;
    this.onBody = noBody;
    this.state = HEAD;
    this.failure = null;
    this.resetLines();
  }

  /** 'head' until the final head is complete, then 'body' until the message ends ('done'). */
  get phase(): 'head' | 'body' | 'done' {
    if (this.state === HEAD || (this.state === FAILED && this.head === null)) return 'head';
    return this.state === DONE ? 'done' : 'body';
  }

  get complete(): boolean {
    return this.state === DONE;
  }

  /**
   * Parses `buffer[start, end)` and returns where it stopped: right after the final head (so the caller can
   * classify it before any body byte is handed on), at the end of the message (bytes after it belong to
   * nobody), or at `end`. Throws an HttpProtocolError on a malformed response, and again on any later call.
   */
  feed(buffer: Buffer, start: number, end: number): number {
    if (this.failure) throw this.failure;
    try {
      return this.parse(buffer, start, end);
    } catch (error) {
      if (error instanceof HttpProtocolError) {
        this.failure = error;
        this.state = FAILED;
      }
      throw error;
    }
  }

  /** The connection ended (EOF). True when that completes the message: a close-delimited body ends here. */
  finish(): boolean {
    if (this.state === CLOSE) this.state = DONE;
    return this.state === DONE;
  }

  private parse(buffer: Buffer, start: number, end: number): number {
    let i = start;
    while (i < end) {
      switch (this.state) {
        case HEAD:
        case TRAILERS:
          i = this.takeLines(buffer, i, end);
          if (this.headJustEnded) {
            this.headJustEnded = false;
            return i;
          }
          break;
        case LENGTH: {
          const n = Math.min(this.remaining, end - i);
          this.remaining -= n;
          if (this.remaining === 0) this.state = DONE;
          this.onBody(buffer, i, i + n);
          i += n;
          break;
        }
        case CLOSE:
          this.onBody(buffer, i, end);
          i = end;
          break;
        case CHUNK_DATA: {
          const n = Math.min(this.remaining, end - i);
          this.remaining -= n;
          if (this.remaining === 0) this.state = CHUNK_DATA_CR;
          this.onBody(buffer, i, i + n);
          i += n;
          break;
        }
        case DONE:
          return i;
        default:
          this.chunkFraming(buffer[i++]!);
      }
    }
    return i;
  }

  /** One byte of a chunk-size line, or of the CRLF that ends a chunk's data. */
  private chunkFraming(b: number): void {
    switch (this.state) {
      case CHUNK_SIZE: {
        const digit = hexValue(b);
        if (digit >= 0) {
          if (this.remaining > CHUNK_SIZE_CEILING) throw protocolError('HPE_INVALID_CHUNK_SIZE', 'chunk size too large');
          this.remaining = this.remaining * 16 + digit;
          this.chunkDigits++;
        } else if (this.chunkDigits === 0) {
          throw protocolError('HPE_INVALID_CHUNK_SIZE', 'invalid character in chunk size');
        } else if (b === CR) {
          this.state = CHUNK_SIZE_LF;
        } else if (b === 0x3b /* ; */) {
          this.state = CHUNK_EXTENSION;
        } else if (b === 0x20 || b === 0x09) {
          this.state = CHUNK_SIZE_SPACE;
        } else {
          throw protocolError(b === LF ? 'HPE_CR_EXPECTED' : 'HPE_INVALID_CHUNK_SIZE', 'invalid character in chunk size');
        }
        return;
      }
      case CHUNK_SIZE_SPACE:
        // Whitespace after the size is allowed only before an extension (BWS ";").
        if (b === 0x3b) this.state = CHUNK_EXTENSION;
        else if (b !== 0x20 && b !== 0x09) throw protocolError('HPE_INVALID_CHUNK_SIZE', 'invalid character after chunk size');
        return;
      case CHUNK_EXTENSION:
        if (b === CR) {
          this.state = CHUNK_SIZE_LF;
          return;
        }
        if (b === LF) throw protocolError('HPE_CR_EXPECTED', 'bare LF after a chunk extension');
        if (b !== 0x09 && (b < 0x20 || b === 0x7f)) throw protocolError('HPE_INVALID_CHUNK_SIZE', 'control character in a chunk extension');
        if (++this.extensionBytes > this.maxHeadSize) throw protocolError('HPE_CHUNK_EXTENSIONS_OVERFLOW', 'chunk extensions too long');
        return;
      case CHUNK_SIZE_LF:
        if (b !== LF) throw protocolError('HPE_LF_EXPECTED', 'expected LF after chunk size');
        this.chunkDigits = 0;
        this.extensionBytes = 0;
        if (this.remaining === 0) {
          this.state = TRAILERS;
          this.resetLines();
        } else {
          this.state = CHUNK_DATA;
        }
        return;
      case CHUNK_DATA_CR:
        if (b !== CR) throw protocolError('HPE_CR_EXPECTED', 'expected CRLF after chunk data');
        this.state = CHUNK_DATA_LF;
        return;
      case CHUNK_DATA_LF:
        if (b !== LF) throw protocolError('HPE_LF_EXPECTED', 'expected LF after chunk data');
        this.state = CHUNK_SIZE;
        return;
    }
  }

  private resetLines(): void {
    this.lineLength = 0;
    this.afterCR = false;
    this.headBytes = 0;
    this.statusSeen = false;
    this.fields = [];
    this.headJustEnded = false;
  }

  /** Copies head or trailer bytes line by line; lines end in CRLF, nothing else. */
  private takeLines(buffer: Buffer, start: number, end: number): number {
    let i = start;
    while (i < end) {
      const b = buffer[i++]!;
      if (++this.headBytes > this.maxHeadSize) {
        throw protocolError('HPE_HEADER_OVERFLOW', `response ${this.state === HEAD ? 'head' : 'trailers'} larger than ${this.maxHeadSize} bytes`);
      }
      if (this.afterCR) {
        if (b !== LF) throw protocolError('HPE_LF_EXPECTED', 'CR not followed by LF');
        this.afterCR = false;
        const text = this.line.toString('latin1', 0, this.lineLength);
        this.lineLength = 0;
        this.lineEnded(text);
        if (this.state !== HEAD && this.state !== TRAILERS) return i;
        continue;
      }
      if (b === CR) this.afterCR = true;
      else if (b === LF) throw protocolError('HPE_CR_EXPECTED', 'line ended by a bare LF');
      else this.line[this.lineLength++] = b;
    }
    return i;
  }

  private lineEnded(text: string): void {
    if (this.state === HEAD && !this.statusSeen) {
      this.statusLine(text);
    } else if (text.length > 0) {
      this.fieldLine(text);
    } else if (this.state === HEAD) {
      this.headEnded();
    } else {
      this.trailers = fieldMap(this.fields);
      this.state = DONE;
    }
  }

  private statusLine(text: string): void {
    if (!text.startsWith('HTTP/')) throw protocolError('HPE_INVALID_CONSTANT', 'the answer is not HTTP');
    const m = STATUS_LINE.exec(text);
    if (!m) {
      const version = /^HTTP\/1\.[01] /.test(text);
      throw protocolError(version ? 'HPE_INVALID_STATUS' : 'HPE_INVALID_VERSION', `invalid status line: ${JSON.stringify(text.slice(0, 64))}`);
    }
    const reason = m[3] ?? '';
    if (FORBIDDEN_IN_VALUE.test(reason)) throw protocolError('HPE_INVALID_STATUS', 'control character in the reason phrase');
    this.statusSeen = true;
    this.httpVersion = m[1] === '0' ? '1.0' : '1.1';
    this.statusCode = Number(m[2]);
    this.statusMessage = reason;
  }

  private fieldLine(text: string): void {
    const first = text.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      // obs-fold: a user agent must read it as a space (RFC 9112 §5.2).
      const last = this.fields[this.fields.length - 1];
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
    this.fields.push([name.toLowerCase(), value]);
  }

  private headEnded(): void {
    const status = this.statusCode;
    if (status >= 100 && status < 200 && status !== 101) {
      // An interim answer (100 Continue, 103 Early Hints): the real one follows.
      this.resetLines();
      return;
    }
    const headers = fieldMap(this.fields);
    const contentLength = contentLengthOf(this.fields);
    const transferEncoding = headers['transfer-encoding'] ?? null;
    if (transferEncoding !== null && contentLength !== null) {
      // RFC 9112 lets Transfer-Encoding win, but a response with both was made by something broken or hostile.
      throw protocolError('HPE_INVALID_TRANSFER_ENCODING', 'Content-Length with Transfer-Encoding');
    }
    if (transferEncoding !== null && this.httpVersion === '1.0') {
      throw protocolError('HPE_INVALID_TRANSFER_ENCODING', 'Transfer-Encoding in an HTTP/1.0 response');
    }
    let framing: BodyFraming;
    if (this.method === 'HEAD' || status === 101 || status === 204 || status === 304) framing = 'none';
    else if (transferEncoding !== null) framing = chunkedLast(transferEncoding) ? 'chunked' : 'close';
    else if (contentLength !== null) framing = contentLength === 0 ? 'none' : 'length';
    else framing = 'close';
    const connection = (headers['connection'] ?? '').toLowerCase().split(',').map((t) => t.trim());
    const persistent = this.httpVersion === '1.1' ? !connection.includes('close') : connection.includes('keep-alive');
    this.head = {
      statusCode: status,
      statusMessage: this.statusMessage,
      httpVersion: this.httpVersion,
      headers,
      framing,
      contentLength,
      keepAlive: persistent && framing !== 'close' && status !== 101,
    };
    this.fields = [];
    this.headJustEnded = true;
    if (framing === 'none') this.state = DONE;
    else if (framing === 'length') {
      this.state = LENGTH;
      this.remaining = contentLength!;
    } else if (framing === 'chunked') {
      this.state = CHUNK_SIZE;
      this.remaining = 0;
      this.chunkDigits = 0;
      this.extensionBytes = 0;
    } else this.state = CLOSE;
  }
}

function protocolError(code: ProtocolErrorCode, message: string): HttpProtocolError {
  return new HttpProtocolError(code, message);
}

function fieldMap(fields: [string, string][]): Record<string, string> {
  // No prototype: a field named `__proto__` is just a field.
  const map: Record<string, string> = Object.create(null);
  for (const [name, value] of fields) {
    const before = map[name];
    map[name] = before === undefined ? value : `${before}, ${value}`;
  }
  return map;
}

/** Content-Length, repeated or listed only with one value (RFC 9110 §8.6); anything else frames nothing safely. */
function contentLengthOf(fields: [string, string][]): number | null {
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

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}
