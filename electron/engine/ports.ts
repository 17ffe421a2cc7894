import type { FileCategory } from '../../shared/file-category';
import type {
  ChecksumAlgorithm,
  DownloadOptions,
  DownloadRecord,
  DownloadStatus,
  SegmentState,
  Settings,
  SortKey,
} from '../../shared/types';

export interface NewDownload {
  url: string;
  mirrors: string[];
  folder: string;
  requestedName: string | null;
  options: DownloadOptions;
  status: Extract<DownloadStatus, 'queued' | 'paused'>;
  stopReason: 'user' | null;
  priority: number;
  /** What the row shows as its size until the download's first answer (`AddRequest.expectedSize`). */
  size: number | null;
}

export type DownloadPatch = Partial<
  Pick<
    DownloadRecord,
    | 'url' | 'finalUrl' | 'sourceUrl' | 'name' | 'size' | 'etag' | 'lastModified' | 'acceptRanges' | 'status' | 'stopReason'
    | 'error' | 'bytesDone' | 'retries' | 'retryLog' | 'completedAt' | 'priority' | 'position' | 'placing' | 'linkRefresh' | 'options'
  >
>;

export interface RecordQuery {
  status?: DownloadStatus[];
  category?: FileCategory;
  search?: string;
  offset?: number;
  limit?: number;
  sort?: SortKey;
  descending?: boolean;
}

/**
 * A set of download ids kept beside the store (the downloads of one `braid get`), so the next queued ones among
 * them are found by one indexed query however long the rest of the queue is.
 */
export interface DownloadIdSet {
  add(ids: Iterable<number>): void;
  delete(ids: Iterable<number>): void;
  /** Queued downloads of the set in run order (priority, then position), skipping `exclude`. */
  nextQueued(limit: number, exclude: ReadonlySet<number>): DownloadRecord[];
  close(): void;
}

/** Where downloads and their segments live. The engine sees only this; SQLite is one implementation. */
/** A server's limit on connections as Braid learned it: `connections` at once worked, more were refused. */
export interface LearnedHostLimit {
  host: string;
  connections: number;
  /** When it was learned or last confirmed (ms since the epoch); a step up is tried some time after. */
  learnedAt: number;
}

export interface DownloadRepository {
  insertMany(downloads: NewDownload[]): number[];
  get(id: number): DownloadRecord | null;
  update(id: number, patch: DownloadPatch): void;
  segments(id: number): SegmentState[];
  /** Commits segment offsets and the patch in one transaction (a checkpoint, or a new plan). */
  saveProgress(id: number, segments: SegmentState[], patch: DownloadPatch): void;
  /** Queued downloads in run order (priority, then position), skipping `exclude`. */
  nextQueued(limit: number, exclude: ReadonlySet<number>, offset?: number): DownloadRecord[];
  /** A new, empty set of ids to pick queued downloads from. */
  idSet(): DownloadIdSet;
  list(query: RecordQuery): { total: number; items: DownloadRecord[] };
  countByStatus(): Record<DownloadStatus, number>;
  /** The unfinished download of this URL into this folder (and name, when one was asked for). */
  findUnfinished(url: string, folder: string, requestedName: string | null): DownloadRecord | null;
  /** The newest completed download of this URL into this folder (and name, when one was asked for). */
  findCompleted(url: string, folder: string, requestedName: string | null): DownloadRecord | null;
  /** The newest download of this URL (any status, any folder), for the duplicate prompt of the Add dialog. */
  findByUrl(url: string): DownloadRecord | null;
  /** Whether another download already holds this name in this folder. */
  isNameReserved(folder: string, name: string, exceptId: number): boolean;
  remove(ids: number[]): void;
  move(id: number, direction: 'up' | 'down' | 'top' | 'bottom'): void;
  /** Moves every download in `from` to `to` (used at start: what was running when the engine stopped). */
  requeue(from: DownloadStatus, stopReason: 'shutdown' | null): number;
  loadSettings(): Partial<Settings>;
  saveSettings(settings: Settings): void;
  /** What was learned of servers' limits on connections. */
  loadHostLimits(): LearnedHostLimit[];
  /** Remembers a server's limit; null forgets it (the server took as many as Braid asked for). */
  saveHostLimit(host: string, limit: { connections: number; learnedAt: number } | null): void;
}

/** An open `.part` file: positional reads and writes, durable flush, nothing else. */
export interface PartFileHandle {
  /** Writes all `length` bytes of `buffer` at `position`. */
  write(buffer: Buffer, length: number, position: number): Promise<void>;
  /** Reads up to `length` bytes at `position` into `buffer`; resolves with how many were read. */
  read(buffer: Buffer, length: number, position: number): Promise<number>;
  /** Device, inode and modification time: what tells this file from another of the same name and size. */
  identity(): Promise<string>;
  datasync(): Promise<void>;
  truncate(size: number): Promise<void>;
  /**
   * Starts allocating disk blocks for the first `size` bytes ahead, where that pays; never fails (the file is then
   * written as before). `truncate` and `close` wait for it.
   */
  reserve(size: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

/** The file system as the engine uses it; the real one is `nodeFileSystem`, tests may slow it down. */
export interface FileSystemPort {
  /** Creates a new file, failing with EEXIST if anything (a file, a symlink) is at the path. */
  createExclusive(path: string): Promise<PartFileHandle>;
  /** Opens an existing file for writing without following a symlink. */
  openExisting(path: string): Promise<PartFileHandle>;
  /** Bytes available to this user in the folder; Infinity where the file system reports no size. */
  freeSpace(folder: string): Promise<number>;
  makeFolder(folder: string): Promise<void>;
  /** Whether anything is at `path`, a link included even when it points nowhere. Synchronous: names are chosen in one go. */
  occupied(path: string): boolean;
  /** The identity (as `PartFileHandle.identity`) of what is at `path`, not following a link; null when nothing is there. */
  identityOf(path: string): Promise<string | null>;
  /** Bytes of disk the file at `path` takes (its allocated blocks, which may be more than it holds); 0 when there is none. */
  diskUsage(path: string): Promise<number>;
  /** Size of the regular file at `path`, or null when there is none. */
  fileSize(path: string): Promise<number | null>;
  /** Makes `to` name the file `from` names; fails with EEXIST when anything is at `to` (never replaces). */
  link(from: string, to: string): Promise<void>;
  /** Renames, replacing: only for file systems without hard links, after checking `to` is free. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file or link; nothing there is not an error. */
  remove(path: string): Promise<void>;
  /** Makes a rename in the folder durable (best effort where folders cannot be synced). */
  syncFolder(folder: string): Promise<void>;
  /** Hex digest of the file; stops with the signal's reason when it aborts. `onRead` hears of every chunk read. */
  hash(path: string, algorithm: ChecksumAlgorithm, signal: AbortSignal, onRead?: (bytes: number) => void): Promise<string>;
}

/** A handle on a repeating timer. */
export interface Repeating {
  cancel(): void;
}

/**
 * Time as the engine sees it. The real one is `systemClock`; tests pass a fake one to run stall, trickle,
 * stealing and checkpoint logic without waiting real seconds.
 */
export interface Clock {
  /** Monotonic milliseconds, for durations and speeds. */
  now(): number;
  /** Milliseconds since the epoch, for timestamps that are stored. */
  wallTime(): number;
  /** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  every(ms: number, action: () => void): Repeating;
}
