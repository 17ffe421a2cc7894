import type { BraidApi } from './api';
import type { DownloadError, EngineEvent } from './types';

/** The BraidApi commands, callable over IPC or the WebSocket of `braid serve`. */
export type ApiMethod = Exclude<keyof BraidApi, 'onEvent'>;

// A record, not an array, so that a BraidApi method missing here fails to compile. No zod here: the sandboxed
// preload and the browser's WebSocket client take their method list from this file alone.
const METHODS: { readonly [M in ApiMethod]: true } = {
  add: true,
  preview: true,
  importList: true,
  pause: true,
  resume: true,
  retry: true,
  remove: true,
  refreshLink: true,
  catchLink: true,
  cancelCatch: true,
  move: true,
  list: true,
  detail: true,
  open: true,
  chooseFolder: true,
  browserHost: true,
  getSettings: true,
  setSettings: true,
};

/** Every command of BraidApi, in the order above; the preload and the WebSocket client build their API from it. */
export const API_METHODS: readonly ApiMethod[] = Object.freeze(Object.keys(METHODS) as ApiMethod[]);

/** Whether `name` is a command a face may call (own keys only: `constructor`, `__proto__` are not). */
export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(METHODS, name);
}

/** The commands of BraidApi: everything but the event subscription. */
export type ApiCommands = Omit<BraidApi, 'onEvent'>;

/**
 * BraidApi's commands, each one forwarding its name and arguments to `send` (IPC in the preload, the WebSocket
 * in a browser): no per-command code in a face, so a command added to BraidApi reaches every face.
 */
export function bindCommands(send: (method: ApiMethod, args: unknown[]) => Promise<unknown>): ApiCommands {
  return Object.fromEntries(API_METHODS.map((method) => [method, (...args: unknown[]) => send(method, args)])) as unknown as ApiCommands;
}

/** The argument list of each command, as BraidApi declares it. */
export type ApiArgs<M extends ApiMethod> = Parameters<BraidApi[M]>;
/** What each command resolves to. */
export type ApiResult<M extends ApiMethod> = Awaited<ReturnType<BraidApi[M]>>;

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
