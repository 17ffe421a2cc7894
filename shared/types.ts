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
  /** A link that worked refused mid-download (403, 410) and there is no redirect to go back through: give it a fresh one. */
  | 'LINK_EXPIRED'
  /** A proxy refused its credentials or the connection, or cannot be reached. */
  | 'PROXY_ERROR'
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
  /** Connections to the server at most (aria2's max-connection-per-server); absent means the setting. */
  maxPerServer?: number;
  /**
   * The proxy for this download (aria2's all-proxy): `http://`, `https://` or `socks5://`, credentials in the
   * URL; '' means none at all, absent means the settings' proxy (else the system's or the environment's).
   */
  proxy?: string;
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
  /** The HTTP status of the server's answer that caused it, when one did. */
  status?: number;
}

export interface RetryEntry {
  /** Milliseconds since the epoch. */
  at: number;
  code: ErrorCode;
  message: string;
  status?: number;
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
  /** When the download's link was last refreshed, and how; null when it never was. */
  linkRefresh: LinkRefresh | null;
}

/**
 * A link refreshed while a download had bytes on disk: from its own URL (`original-url`: a signed link it
 * redirects to expired, and asking it again gave a fresh one) or by the user giving it a new URL (`user`).
 */
export interface LinkRefresh {
  /** Milliseconds since the epoch. */
  at: number;
  by: 'original-url' | 'user';
}

/** How a new URL given to a download was proven to serve the same file as the bytes on disk. */
export type LinkProof =
  /** Same size and the same strong ETag. */
  | 'validator'
  /** Same size, and sample windows of the bytes on disk read the same from the new URL. */
  | 'samples'
  /** Nothing was on disk yet to compare. */
  | 'nothing-on-disk'
  /** Not proven: the user asked to start over from the new URL. */
  | 'start-over';

export interface RefreshResult {
  id: number;
  proof: LinkProof;
  /** Bytes on disk kept (0 when it starts over). */
  kept: number;
}

/**
 * A download waiting for its new link from the browser: the next download the browser extension hands over that
 * matches it (its name, or its size) is proven the same file and becomes its link instead of a new download.
 * `until`: when an armed catch lapses (milliseconds since the epoch).
 */
export type LinkCatch =
  | { state: 'armed'; id: number; until: number }
  /** Lapsed with nothing caught, or called off. */
  | { state: 'expired' | 'cancelled'; id: number }
  /** A browser download matched and is being proven the same file; the catch takes no other meanwhile. */
  | { state: 'checking'; id: number }
  /** A browser download was proven the same file and became the download's link. */
  | { state: 'used'; id: number; result: RefreshResult }
  /** A browser download matched but could not be its link (another file, or it did not answer): the browser kept it. */
  | { state: 'refused'; id: number; error: DownloadError };

export type ArmedCatch = Extract<LinkCatch, { state: 'armed' }>;

export interface FilePlacement {
  name: string;
  identity: string;
}

/** What the UI draws for one download, sent a few times a second. */
export interface DownloadSnapshot {
  id: number;
  url: string;
  /** The file's name: the server's once it has answered, else the one asked for; null for neither. */
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
  /**
   * Every byte has arrived and the download is being finished: its seams re-read, its checksum computed, or the
   * file synced and given its name. Absent while bytes are still being fetched.
   */
  finishing?: FinishingProgress;
  /** When the link was last refreshed (from the download's own URL after a signed link expired, or by the user). */
  linkRefresh?: LinkRefresh | null;
  error: DownloadError | null;
  priority: number;
  position: number;
  /**
   * The server answers no more than this many connections at once, as Braid learned from its refusals (kept
   * across restarts): the detail pane says "127.0.0.1 allows 2 connections". Absent when nothing was learned.
   */
  hostLimit?: HostLimit;
  /**
   * Running, but no connection of it is open: every one waits for a slot, because the connections Braid opens to
   * this server (or in all) are all taken by other downloads. Absent otherwise.
   */
  connectionWait?: ConnectionWait;
}

/** What a download without a connection waits for: `open` connections of the `allowed`, to `host` or in all. */
export interface ConnectionWait {
  host: string;
  scope: 'server' | 'all';
  open: number;
  allowed: number;
}

/** Seams re-read (windows) or checksum computed (bytes read back) so far; then the file synced and named. */
export type FinishingProgress = { step: 'seams' | 'checksum'; done: number; total: number } | { step: 'saving' };

/** What Braid learned of a server's limit on connections. */
export interface HostLimit {
  /** The server as `host` or `host:port`. */
  host: string;
  connections: number;
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
  /** Why Braid cannot save its state now (its disk full, say), or null; downloads wait meanwhile. */
  storeProblem: string | null;
  /**
   * The last minute, a sample a second, oldest first: `speed` and `inFlight` as above. Carried when a new second
   * is sampled and in the first snapshot after a face subscribes, so a window opened late draws the minute before it.
   */
  recent?: { speed: number[]; inFlight: number[] };
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
  /** `name`: the file's name, or before it has one the last part of its URL's path, as its row shows it (absent when the store could not be read). */
  | { type: 'failed'; id: number; error: DownloadError; name?: string }
  | { type: 'removed'; ids: number[] }
  /** A link catch was armed, lapsed, called off, used or refused (see LinkCatch). */
  | { type: 'catch'; catch: LinkCatch };

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
  /** Connections to one server at once, over all downloads (a learned lower limit wins). */
  maxConnectionsPerServer: number;
  /** Connections at once over everything. */
  maxConnections: number;
  /**
   * The proxy for every download: `http://`, `https://` or `socks5://` with credentials in the URL; '' means
   * the system's (the app) or the environment's (`HTTPS_PROXY` and the like, for the CLI and `braid serve`).
   */
  proxy: string;
  /** Hosts reached without the settings' proxy: comma-separated names, `.domain` suffixes, `host:port`, `*`. */
  noProxy: string;
  /** A folder of its own for a file type (video, audio, ...); a type not named here goes to `folder`. */
  categoryFolders: Partial<Record<FileCategory, string>>;
}

export interface AddRequest {
  url: string;
  mirrors?: string[];
  folder?: string;
  name?: string;
  options?: DownloadOptions;
  paused?: boolean;
  priority?: number;
  /**
   * The size a look at the URL found before it was added (the Add dialog's check), shown while the download waits;
   * its own first answer decides the size it downloads.
   */
  expectedSize?: number;
}

export type AddResult = { ok: true; id: number; resumed: boolean } | { ok: false; url: string; error: DownloadError };

export type SortKey = 'position' | 'name' | 'size' | 'status' | 'added';

export interface ListQuery {
  status?: DownloadStatus[];
  /** Only downloads of this file type (by name, or by the URL before a name is known). */
  category?: FileCategory;
  /** Only downloads whose name or URL holds this text, letters of either case alike. */
  search?: string;
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
