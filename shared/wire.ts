import type { BraidApi } from './api';
import type { DownloadError, EngineEvent } from './types';

/** The BraidApi commands, callable over IPC or the WebSocket of `braid serve`. */
export type ApiMethod = Exclude<keyof BraidApi, 'onEvent'>;

export const API_METHODS: readonly ApiMethod[] = [
  'add', 'importList', 'pause', 'resume', 'retry', 'remove', 'move', 'list', 'detail', 'open', 'getSettings', 'setSettings',
];

/** What a browser sends to `braid serve`: the secret first, then calls. */
export type ClientMessage =
  | { type: 'hello'; secret: string }
  | { type: 'call'; id: number; method: ApiMethod; args: unknown[] };

export type ServerMessage =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: DownloadError }
  | { type: 'event'; event: EngineEvent };

/** Close codes of the WebSocket. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_BAD_MESSAGE = 4400;
