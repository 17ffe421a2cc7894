import type { BraidApi } from '../../shared/api';
import { parseArgs, type ParsedArgs } from '../../shared/api-schema';
import { isApiMethod, type ApiMethod, type ApiResult } from '../../shared/wire';
import { BraidError } from './errors';

/**
 * Every call from a face (the app's IPC, `braid serve`'s WebSocket) goes through here: the arguments are
 * checked by the command's schema in `shared/api-schema.ts`, then passed to the engine. Anything malformed is a
 * BraidError INVALID_OPTION with a message a person understands, and never reaches the engine.
 */

type Handlers = { readonly [M in ApiMethod]: (api: BraidApi, args: ParsedArgs<M>) => Promise<ApiResult<M>> };

/** One entry per command; a command of BraidApi missing here fails to compile. */
export const HANDLERS: Handlers = {
  add: (api, [requests]) => api.add(requests),
  preview: (api, [urls]) => api.preview(urls),
  importList: (api, [text, defaults]) => api.importList(text, defaults),
  pause: (api, [ids]) => api.pause(ids),
  resume: (api, [ids]) => api.resume(ids),
  retry: (api, [ids]) => api.retry(ids),
  remove: (api, [ids, options]) => api.remove(ids, options),
  refreshLink: (api, [id, url, options]) => api.refreshLink(id, url, options),
  catchLink: (api, [id]) => api.catchLink(id),
  cancelCatch: (api, [id]) => api.cancelCatch(id),
  move: (api, [id, direction]) => api.move(id, direction),
  list: (api, [query]) => api.list(query),
  detail: (api, [id]) => api.detail(id),
  open: (api, [id, what]) => api.open(id, what),
  chooseFolder: (api, [start]) => api.chooseFolder(start),
  browserHost: (api, [browser, action]) => api.browserHost(browser, action),
  getSettings: (api) => api.getSettings(),
  setSettings: (api, [patch]) => api.setSettings(patch),
};

function call<M extends ApiMethod>(api: BraidApi, method: M, args: unknown): Promise<ApiResult<M>> {
  return HANDLERS[method](api, checkArgs(method, args));
}

/** The arguments of `method` checked and normalised by its schema; rejects with BraidError INVALID_OPTION as `dispatch` does. */
export function checkArgs<M extends ApiMethod>(method: M, args: unknown): ParsedArgs<M> {
  const parsed = parseArgs(method, args);
  if (!parsed.ok) throw new BraidError('INVALID_OPTION', parsed.message);
  return parsed.args;
}

/** Validates `args` for `method` and calls it; rejects with BraidError INVALID_OPTION for anything malformed. */
export async function dispatch(api: BraidApi, method: unknown, args: unknown): Promise<unknown> {
  if (!isApiMethod(method)) throw new BraidError('INVALID_OPTION', `unknown method ${typeof method === 'string' ? JSON.stringify(method.slice(0, 60)) : `(${typeof method})`}`);
  return call(api, method, args);
}
