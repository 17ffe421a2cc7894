import type { DownloadRecord, ErrorCode } from '../../shared/types';
import { PROTOCOL_HEADERS } from '../../shared/limits';
import { BraidError } from './errors';

/** Failures that another server may not have; anything else (disk, options, Braid itself) fails wherever the bytes come from. */
const SOURCE_FAILURES = new Set<ErrorCode>([
  'HTTP_ERROR', 'NETWORK_ERROR', 'TIMEOUT', 'BAD_RESPONSE', 'TOO_MANY_REDIRECTS', 'RETRY_AFTER_TOO_LONG',
  'CANNOT_RESUME', 'SIZE_MISMATCH', 'CHECKSUM_ERROR', 'LINK_EXPIRED',
]);


/**
 * Where a download's bytes come from: its own URL, then its mirrors, each tried once, and the URL requests go
 * to now (the source after its redirects). The user's extra headers go to the origin they were given for only.
 */
export class SourceList {
  /** The URL bytes come from now: the download's own, or a mirror once the ones before it failed. */
  current: string;
  /** Where requests go: `current` after the probe followed its redirects. */
  requestUrl: string;
  private readonly failed = new Set<string>();

  constructor(private readonly record: Pick<DownloadRecord, 'url' | 'mirrors' | 'sourceUrl' | 'options'>) {
    this.current = record.sourceUrl && this.all.includes(record.sourceUrl) ? record.sourceUrl : record.url;
    this.requestUrl = this.current;
  }

  /** The download's own URL, then its mirrors, each once. */
  get all(): string[] {
    return [...new Set([this.record.url, ...this.record.mirrors])];
  }

  /** The URL to record as the source of the bytes on disk (null: the download's own). */
  get recorded(): string | null {
    return this.current === this.record.url ? null : this.current;
  }

  /**
   * The user's extra headers for a request to `url`: for the origin they were given for, and no other. Names in
   * lower case, so a user's `User-Agent` replaces Braid's own `user-agent` instead of going out beside it.
   */
  headersFor(url: string): Record<string, string> {
    if (!sameOrigin(url, this.record.url)) return {};
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.record.options.headers ?? {})) {
      const lower = name.toLowerCase();
      if (!PROTOCOL_HEADERS.has(lower)) headers[lower] = value;
    }
    return headers;
  }

  /**
   * After the current source failed for good, moves to the next one not yet failed and returns the note to
   * keep; null when the failure is not the server's or no source is left.
   */
  next(error: BraidError): BraidError | null {
    if (!SOURCE_FAILURES.has(error.code)) return null;
    this.failed.add(this.current);
    const next = this.all.find((s) => !this.failed.has(s));
    if (!next) return null;
    this.current = next;
    this.requestUrl = next;
    return new BraidError(error.code, `${error.message}; trying ${displayUrl(next)}`, { status: error.status });
  }

  /** Adds to a final error how many other URLs failed before it. */
  explain(error: { message: string }): void {
    const others = [...this.failed].filter((u) => u !== this.current).length;
    if (others > 0) error.message = `${error.message}; its other ${others === 1 ? 'URL' : `${others} URLs`} failed before`;
  }
}

/** A URL for messages: scheme, host and path, never credentials or the query. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'another mirror';
  }
}

export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
