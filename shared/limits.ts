// Every bound Braid puts on what a face may ask, in one place: the API schema, the engine's settings check,
// list parsing, the command line and the UI's inputs all read them from here.

/** An inclusive range of whole numbers. */
export interface WholeRange {
  readonly min: number;
  readonly max: number;
}

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

/** Parallel connections for one download. */
export const CONNECTIONS: WholeRange = { min: 1, max: 32 };
/** Connections to one server (host and port) at once, over all downloads. */
export const CONNECTIONS_PER_SERVER: WholeRange = { min: 1, max: 32 };
/** Connections at once over all downloads and servers. */
export const TOTAL_CONNECTIONS: WholeRange = { min: 1, max: 1024 };
/** A proxy URL (`http://`, `https://`, `socks5://`, with credentials) or a no-proxy list, in characters. */
export const MAX_PROXY = 2048;
/** Downloads running at once. */
export const CONCURRENT_DOWNLOADS: WholeRange = { min: 1, max: 64 };
/** Bytes per second; 0 means no limit. */
export const SPEED_LIMIT: WholeRange = { min: 0, max: Number.MAX_SAFE_INTEGER };
/** In-flight bytes (received, not yet on disk) one download may hold. */
export const PER_DOWNLOAD_MEMORY: WholeRange = { min: 64 * KIB, max: GIB };
/** In-flight bytes all downloads together may hold. */
export const MEMORY_BUDGET: WholeRange = { min: MIB, max: 16 * GIB };
/** A download's place among others of the same status: higher runs first. */
export const PRIORITY: WholeRange = { min: -1000, max: 1000 };
/** A size in bytes a face says it has seen. */
export const FILE_SIZE: WholeRange = { min: 0, max: Number.MAX_SAFE_INTEGER };
/** Ids the store hands out. */
export const DOWNLOAD_ID: WholeRange = { min: 1, max: Number.MAX_SAFE_INTEGER };
/** Rows skipped before a page of the queue. */
export const LIST_OFFSET: WholeRange = { min: 0, max: Number.MAX_SAFE_INTEGER };
/** The longest text the queue is searched for: a URL is rarely longer. */
export const SEARCH_LENGTH = 2048;
/** Rows in one page of the queue; a page is always bounded, even when the caller does not say. */
export const LIST_LIMIT: WholeRange & { readonly default: number } = { min: 1, max: 5000, default: 500 };

/** Downloads added, or ids acted on, in one call. */
export const MAX_BATCH = 10_000;
/** A list sent whole from a window, in characters; larger lists go through `braid add -i`, which streams. */
export const MAX_LIST_TEXT = 3 * MIB;
/** Extra URLs of the same file tried when the download's own URL fails for good. */
export const MAX_MIRRORS = 16;

/** Lengths of strings, in characters. */
export const MAX_URL = 8192;
/** URLs probed in one preview: each is a request to a server, so a pasted page of links is asked about, not a list file. */
export const MAX_PREVIEW = 100;
export const MAX_FOLDER = 4096;
export const MAX_NAME = 1024;

/** Extra request headers of one download. */
export const MAX_HEADERS = 32;
export const MAX_HEADER_NAME = 256;
export const MAX_HEADER_VALUE = 8192;
/** An HTTP header name is a token (RFC 9110 §5.1). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Header values never carry a line break or NUL: they would end the header early or be refused on the wire. */
export const HEADER_VALUE = /^[^\r\n\0]*$/;
/**
 * Headers Braid itself decides: which bytes it asks for and how they travel. A user's header of one of these
 * names would ask for other bytes (or coded ones) than the segment expects, or break the framing of a kept-alive
 * connection. Lower case.
 */
export const PROTOCOL_HEADERS: ReadonlySet<string> = new Set(['range', 'if-range', 'accept-encoding', 'host', 'content-length', 'transfer-encoding', 'connection', 'te', 'upgrade', 'expect']);

/** Whether `value` is a whole number inside `range`. */
export function inRange(value: unknown, range: WholeRange): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max;
}

/** `connections per download must be a whole number from 1 to 32`, and the like. */
export function rangeMessage(what: string, range: WholeRange): string {
  if (range.max === Number.MAX_SAFE_INTEGER) {
    return range.min === 0 ? `${what} must be a whole number, 0 or more` : `${what} must be a whole number of at least ${range.min}`;
  }
  return `${what} must be a whole number from ${range.min} to ${range.max}`;
}
