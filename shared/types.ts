// The contract between the engine and every face of Braid (app, CLI, browser). Plain data only.

import type { FileCategory } from './file-category';

export type DownloadStatus = 'queued' | 'active' | 'paused' | 'completed' | 'failed';

/** Why a download stopped running; a restart resumes only what the user did not pause. */
export type StopReason = 'user' | 'shutdown';

/** Stable reason codes: they travel across IPC, into the database and into scripts. */
export type ErrorCode =
  | 'INVALID_URL'
  | 'UNSUPPORTED_SCHEME'
  | 'HTTP_ERROR'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'BAD_RESPONSE'
  | 'TOO_MANY_REDIRECTS'
  | 'RETRY_AFTER_TOO_LONG'
  | 'CANNOT_RESUME'
  | 'SIZE_MISMATCH'
  | 'CHECKSUM_ERROR'
  | 'NOT_ENOUGH_DISK_SPACE'
  | 'DISK_FULL'
  | 'FILE_ERROR'
  | 'INVALID_OPTION'
  /** A fault inside Braid (a store write that failed, a bug): never retried, never blamed on the server. */
  | 'INTERNAL';

export type ChecksumAlgorithm = 'md5' | 'sha-1' | 'sha-256' | 'sha-512';

export interface Checksum {
  algorithm: ChecksumAlgorithm;
  hex: string;
}

/** Per-download options chosen when it is added; persisted with it. */
export interface DownloadOptions {
  /** Parallel connections for this download (1–32); absent means the engine's setting. */
  segments?: number;
  /** Bytes per second; 0 or absent means no per-download limit. */
  speedLimit?: number;
  checksum?: Checksum;
  /** Extra request headers, e.g. from a list file; never forwarded to another host. */
  headers?: Record<string, string>;
}

/** A byte range [start, end) of the file and how much of it, from start, is safely on disk. */
export interface SegmentState {
  start: number;
  end: number;
  done: number;
}

export interface DownloadError {
  code: ErrorCode;
  message: string;
}

export interface RetryEntry {
  /** Milliseconds since the epoch. */
  at: number;
  code: ErrorCode;
  message: string;
}

/** One download as the store holds it. */
export interface DownloadRecord {
  id: number;
  url: string;
  mirrors: string[];
  finalUrl: string | null;
  /** The URL (its own or a mirror) the bytes on disk came from; null means `url`. */
  sourceUrl: string | null;
  folder: string;
  /** The name asked for (`-o`, `out=`); null means "from the server". */
  requestedName: string | null;
  /** The name on disk once reserved; the `.part` file is this plus `.part`. */
  name: string | null;
  size: number | null;
  etag: string | null;
  lastModified: string | null;
  acceptRanges: boolean;
  status: DownloadStatus;
  stopReason: StopReason | null;
  priority: number;
  position: number;
  options: DownloadOptions;
  error: DownloadError | null;
  bytesDone: number;
  retries: number;
  /** The most recent retries and why they happened, oldest first. */
  retryLog: RetryEntry[];
  createdAt: number;
  updatedAt: number;
  completedAt: number | null;
  /**
   * The final name being given to the finished `.part` and the file's identity (device, inode and modification time), recorded
   * before the name is linked: a restart after a crash in between finishes the job by identity, never by a
   * name and size that someone else's file may share.
   */
  placing: FilePlacement | null;
}

export interface FilePlacement {
  name: string;
  identity: string;
}

/** What the UI draws for one download, sent a few times a second. */
export interface DownloadSnapshot {
  id: number;
  url: string;
  name: string | null;
  folder: string;
  status: DownloadStatus;
  size: number | null;
  bytesDone: number;
  /** Smoothed bytes per second. */
  speed: number;
  /** Seconds left at the current speed; null when unknown. */
  eta: number | null;
  connections: number;
  /** Memory set aside for this download's buffers (between the network and the disk), against its cap. */
  memory: { inFlight: number; cap: number };
  segments: SegmentState[];
  /**
   * The server sends no ETag or Last-Modified to prove the file unchanged between requests, so the seams where
   * two answers' bytes meet are read again and compared before the file is called done.
   */
  seamCheck?: boolean;
  error: DownloadError | null;
  priority: number;
  position: number;
}

export interface GlobalStats {
  speed: number;
  /** What Braid's transfer buffers occupy, all downloads and idle pooled buffers included. */
  inFlight: number;
  memoryBudget: number;
  active: number;
  queued: number;
  counts: Record<DownloadStatus, number>;
  /** The engine process's own memory, bytes. */
  process: { rss: number; heapUsed: number; heapTotal: number };
}

export interface ImportReport {
  added: number;
  /** Lines that were refused, with why (the first 1,000; `refused` counts them all). */
  problems: { line: number; message: string }[];
  refused: number;
}

export type EngineEvent =
  /**
   * Running downloads and a bounded number of changed ones. `listChanged`: more changed than a snapshot carries
   * (an import, a bulk action): page the list again through `list`.
   */
  | { type: 'snapshot'; downloads: DownloadSnapshot[]; global: GlobalStats; listChanged?: boolean }
  | { type: 'completed'; id: number; name: string; path: string }
  | { type: 'failed'; id: number; error: DownloadError }
  | { type: 'removed'; ids: number[] };

export interface Settings {
  /** Default folder for new downloads. */
  folder: string;
  maxConcurrent: number;
  segments: number;
  /** Bytes per second over all downloads; 0 means none. */
  globalSpeedLimit: number;
  /** In-flight bytes (received, not yet written) allowed per download. */
  perDownloadMemory: number;
  /** In-flight bytes allowed over all downloads together. */
  memoryBudget: number;
}

export interface AddRequest {
  url: string;
  mirrors?: string[];
  folder?: string;
  name?: string;
  options?: DownloadOptions;
  paused?: boolean;
  priority?: number;
}

export type AddResult = { ok: true; id: number; resumed: boolean } | { ok: false; url: string; error: DownloadError };

export type SortKey = 'position' | 'name' | 'size' | 'status' | 'added';

export interface ListQuery {
  status?: DownloadStatus[];
  /** Only downloads of this file type (by name, or by the URL before a name is known). */
  category?: FileCategory;
  offset?: number;
  limit?: number;
  sort?: SortKey;
  descending?: boolean;
}

/** A download already known for a URL, found before adding it again. */
export interface KnownDownload {
  id: number;
  name: string | null;
  status: DownloadStatus;
  folder: string;
}

/**
 * What the server says about a URL before it is added (name and size), and the download Braid already has for
 * it, if any; or why the URL cannot be downloaded.
 */
export type PreviewResult =
  | { ok: true; url: string; name: string; size: number | null; resumable: boolean; existing: KnownDownload | null }
  | { ok: false; url: string; error: DownloadError; existing: KnownDownload | null };

export interface ListPage {
  total: number;
  items: DownloadSnapshot[];
}
