import { HttpProtocolError, protocolError } from './http1-protocol-error';
import { addFieldLine, fieldMap, isInterim, parseStatusLine, responseHead } from './http1-response-head';
import type { Field, ResponseHead, StatusLine } from './http1-response-head';

/**
 * A strict, incremental HTTP/1.1 response parser (RFC 9112) for the receive path. It is fed slices of a buffer
 * the caller reuses for every read, so it never keeps a reference to what it is given: body bytes are handed
 * on as views of the caller's buffer during `feed`, and only the few bytes of a head or trailer line are copied.
 * This module finds lines and body bytes (Content-Length, chunked, close-delimited); what a head's lines mean
 * is http1-response-head.ts's.
 */

export { HttpProtocolError, type ProtocolErrorCode } from './http1-protocol-error';
export type { BodyFraming, ResponseHead } from './http1-response-head';

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
  /** The status line of the head being read, once seen. */
  private status: StatusLine | null = null;
  private fields: Field[] = [];
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
   * How many of the next bytes fed are body bytes with no framing among them: the rest of a Content-Length
   * body, all of a close-delimited one. None for a chunked body: a chunk's last bytes would be a read of their
   * own, where the connection's buffer takes them with the framing and chunks that follow.
   */
  get plainBodyBytesAhead(): number {
    if (this.state === LENGTH) return this.remaining;
    return this.state === CLOSE ? Number.POSITIVE_INFINITY : 0;
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
    this.status = null;
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
    if (this.state === HEAD && this.status === null) {
      this.status = parseStatusLine(text);
    } else if (text.length > 0) {
      addFieldLine(this.fields, text);
    } else if (this.state === HEAD) {
      this.headEnded();
    } else {
      this.trailers = fieldMap(this.fields);
      this.state = DONE;
    }
  }

  private headEnded(): void {
    if (isInterim(this.status!.statusCode)) {
      // An interim answer (100 Continue, 103 Early Hints): the real one follows.
      this.resetLines();
      return;
    }
    this.head = responseHead(this.method, this.status!, this.fields);
    const { framing, contentLength } = this.head;
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

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}
