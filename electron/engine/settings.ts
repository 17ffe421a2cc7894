import { homedir } from 'node:os';
import { join } from 'node:path';
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

function wholeNumber(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BraidError('INVALID_OPTION', `${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** Validates a settings change; unknown keys and bad values are refused with the reason. */
export function mergeSettings(current: Settings, patch: Partial<Settings>): Settings {
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    switch (key as keyof Settings) {
      case 'folder':
        if (typeof value !== 'string' || value.trim() === '') throw new BraidError('INVALID_OPTION', 'folder must be a path');
        next.folder = value;
        break;
      case 'maxConcurrent':
        next.maxConcurrent = wholeNumber(key, value, 1, 64);
        break;
      case 'segments':
        next.segments = wholeNumber(key, value, 1, 32);
        break;
      case 'globalSpeedLimit':
        next.globalSpeedLimit = wholeNumber(key, value, 0, Number.MAX_SAFE_INTEGER);
        break;
      case 'perDownloadMemory':
        next.perDownloadMemory = wholeNumber(key, value, 64 * 1024, 1024 * MIB);
        break;
      case 'memoryBudget':
        next.memoryBudget = wholeNumber(key, value, MIB, 16 * 1024 * MIB);
        break;
      default:
        throw new BraidError('INVALID_OPTION', `unknown setting ${JSON.stringify(key)}`);
    }
  }
  return next;
}
