import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  CONCURRENT_DOWNLOADS,
  CONNECTIONS,
  CONNECTIONS_PER_SERVER,
  inRange,
  MAX_FOLDER,
  MAX_PROXY,
  MEMORY_BUDGET,
  PER_DOWNLOAD_MEMORY,
  rangeMessage,
  SPEED_LIMIT,
  TOTAL_CONNECTIONS,
  type WholeRange,
} from '../../shared/limits';
import { DEFAULT_CONCURRENT, DEFAULT_CONNECTIONS } from '../../shared/defaults';
import { formatBytes } from '../../shared/format';
import { proxyProblem } from '../../shared/proxy-url';
import { FILE_CATEGORIES, type FileCategory } from '../../shared/file-category';
import type { Settings } from '../../shared/types';
import { BraidError } from './errors';
import { MIB } from './segment-plan';
import { DEFAULT_RETRY, type RetryPolicy } from './retry-delay';

export const DEFAULT_SETTINGS: Settings = {
  folder: join(homedir(), 'Downloads'),
  maxConcurrent: DEFAULT_CONCURRENT,
  segments: DEFAULT_CONNECTIONS,
  globalSpeedLimit: 0,
  perDownloadMemory: 4 * MIB,
  memoryBudget: 64 * MIB,
  maxConnectionsPerServer: 16,
  maxConnections: 128,
  proxy: '',
  noProxy: '',
  categoryFolders: {},
};

/** Deadlines and pacing; tests shorten them. */
export interface Timing {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  /** No body bytes for this long aborts the connection (and retries). */
  stallTimeoutMs: number;
  /** A download slower than this over a stall window is a trickle: its connections are cut and retried like a stall. */
  minBytesPerSecond: number;
  /** A kept-alive connection unused for this long is closed. */
  idleSocketMs: number;
  checkpointMs: number;
  /**
   * Bytes received since the last checkpoint that start the next one early. A fast download then never holds
   * more than this unsynced, so the disk writes while the network reads, and the sync at the end is short.
   */
  checkpointBytes: number;
  tickMs: number;
  retry: RetryPolicy;
  /** How long a learned limit on a server's connections holds before Braid tries one step more. */
  hostLimitStepUpMs: number;
  /** Whether refused connections teach Braid a server's limit (off: every refusal is retried with backoff). */
  learnHostLimits: boolean;
  /** How long a link catch waits for the browser's download before it lapses. */
  linkCatchMs: number;
  /** How long proving a caught browser download the same file may take (the browser waits for the answer). */
  linkCatchProofMs: number;
}

export const DEFAULT_TIMING: Timing = {
  connectTimeoutMs: 10_000,
  firstByteTimeoutMs: 20_000,
  stallTimeoutMs: 20_000,
  minBytesPerSecond: 1024,
  idleSocketMs: 60_000,
  checkpointMs: 1000,
  checkpointBytes: 64 * 1024 * 1024,
  tickMs: 250,
  retry: DEFAULT_RETRY,
  hostLimitStepUpMs: 10 * 60_000,
  learnHostLimits: true,
  linkCatchMs: 5 * 60_000,
  linkCatchProofMs: 8_000,
};

function wholeNumber(name: string, value: unknown, range: WholeRange): number {
  if (!inRange(value, range)) throw new BraidError('INVALID_OPTION', rangeMessage(name, range));
  return value;
}

/** Folders by file type: each a path, or '' to send that type to the default folder again. */
function categoryFolders(value: unknown): Settings['categoryFolders'] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BraidError('INVALID_OPTION', 'folders by file type must name a folder for each type');
  const out: Settings['categoryFolders'] = {};
  for (const [category, folder] of Object.entries(value)) {
    if (!(FILE_CATEGORIES as readonly string[]).includes(category)) throw new BraidError('INVALID_OPTION', `there is no file type called ${JSON.stringify(category)}`);
    if (typeof folder !== 'string' || folder.length > MAX_FOLDER) throw new BraidError('INVALID_OPTION', `the folder for ${category} must be a path`);
    if (folder.trim() !== '') out[category as FileCategory] = folder;
  }
  return out;
}

/**
 * A change that leaves one download more memory than all of them together is refused: the smaller figure would
 * hold, and the pane would show a cap no download can reach. Checked on a change only: settings stored before this
 * rule still load.
 */
export function checkMemoryCaps(s: Pick<Settings, 'perDownloadMemory' | 'memoryBudget'>): void {
  if (s.perDownloadMemory <= s.memoryBudget) return;
  throw new BraidError('INVALID_OPTION', `memory per download (${formatBytes(s.perDownloadMemory)}) cannot be more than the memory for all downloads (${formatBytes(s.memoryBudget)})`);
}

/** Validates a settings change; unknown keys and bad values are refused with the reason. */
export function mergeSettings(current: Settings, patch: Partial<Settings>): Settings {
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    switch (key as keyof Settings) {
      case 'folder':
        if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_FOLDER) throw new BraidError('INVALID_OPTION', 'folder must be a path');
        next.folder = value;
        break;
      case 'maxConcurrent':
        next.maxConcurrent = wholeNumber(key, value, CONCURRENT_DOWNLOADS);
        break;
      case 'segments':
        next.segments = wholeNumber(key, value, CONNECTIONS);
        break;
      case 'globalSpeedLimit':
        next.globalSpeedLimit = wholeNumber(key, value, SPEED_LIMIT);
        break;
      case 'perDownloadMemory':
        next.perDownloadMemory = wholeNumber(key, value, PER_DOWNLOAD_MEMORY);
        break;
      case 'memoryBudget':
        next.memoryBudget = wholeNumber(key, value, MEMORY_BUDGET);
        break;
      case 'maxConnectionsPerServer':
        next.maxConnectionsPerServer = wholeNumber(key, value, CONNECTIONS_PER_SERVER);
        break;
      case 'maxConnections':
        next.maxConnections = wholeNumber(key, value, TOTAL_CONNECTIONS);
        break;
      case 'proxy': {
        const problem = typeof value === 'string' && value.length <= MAX_PROXY ? proxyProblem(value) : 'proxy must be a URL';
        if (problem) throw new BraidError('INVALID_OPTION', problem);
        next.proxy = value as string;
        break;
      }
      case 'categoryFolders':
        next.categoryFolders = categoryFolders(value);
        break;
      case 'noProxy':
        if (typeof value !== 'string' || value.length > MAX_PROXY) throw new BraidError('INVALID_OPTION', 'noProxy must be a comma-separated list of hosts');
        next.noProxy = value;
        break;
      default:
        throw new BraidError('INVALID_OPTION', `unknown setting ${JSON.stringify(key)}`);
    }
  }
  return next;
}
