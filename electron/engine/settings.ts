import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  CONCURRENT_DOWNLOADS,
  CONNECTIONS,
  inRange,
  MAX_FOLDER,
  MEMORY_BUDGET,
  PER_DOWNLOAD_MEMORY,
  rangeMessage,
  SPEED_LIMIT,
  type WholeRange,
} from '../../shared/limits';
import { DEFAULT_CONCURRENT, DEFAULT_CONNECTIONS } from '../../shared/defaults';
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
  tickMs: number;
  retry: RetryPolicy;
}

export const DEFAULT_TIMING: Timing = {
  connectTimeoutMs: 10_000,
  firstByteTimeoutMs: 20_000,
  stallTimeoutMs: 20_000,
  minBytesPerSecond: 1024,
  idleSocketMs: 60_000,
  checkpointMs: 1000,
  tickMs: 250,
  retry: DEFAULT_RETRY,
};

function wholeNumber(name: string, value: unknown, range: WholeRange): number {
  if (!inRange(value, range)) throw new BraidError('INVALID_OPTION', rangeMessage(name, range));
  return value;
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
      default:
        throw new BraidError('INVALID_OPTION', `unknown setting ${JSON.stringify(key)}`);
    }
  }
  return next;
}
