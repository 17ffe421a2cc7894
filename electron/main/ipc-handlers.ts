import type { BraidApi } from '../../shared/api';
import type { IpcReply } from '../../shared/ipc';
import { BraidError, dispatch, toWireError } from '../engine/index';

/** Where the app's own renderer is loaded from: the dev server in development, else the packaged file. */
export interface RendererOrigin {
  devServerUrl?: string;
  /** Absolute path of the packaged renderer's index.html. */
  indexFile: string;
}

/** Whether a call comes from the app's own page, judged by a real URL parser, never by string prefixes. */
export function isTrustedSender(frameUrl: string | undefined, origin: RendererOrigin): boolean {
  if (!frameUrl) return false;
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  if (origin.devServerUrl) {
    const dev = new URL(origin.devServerUrl);
    return url.origin === dev.origin;
  }
  if (url.protocol !== 'file:' || url.host !== '') return false;
  const expected = new URL(`file://${origin.indexFile.startsWith('/') ? '' : '/'}${origin.indexFile.replace(/\\/g, '/')}`);
  return decodeURIComponent(url.pathname) === decodeURIComponent(expected.pathname);
}

/** The whole IPC surface: check the sender, validate the payload, call the engine, answer with data. */
export async function handleCall(api: BraidApi, origin: RendererOrigin, frameUrl: string | undefined, method: unknown, args: unknown): Promise<IpcReply> {
  try {
    if (!isTrustedSender(frameUrl, origin)) throw new BraidError('INVALID_OPTION', 'call refused: it does not come from the Braid window');
    return { ok: true, value: (await dispatch(api, method, args)) ?? null };
  } catch (error) {
    return { ok: false, error: toWireError(error) };
  }
}

/** http(s) URLs among a second launch's arguments (`braid-app https://…`), to add to the running queue. */
export function urlsFromArgv(argv: readonly string[]): string[] {
  const dashDash = argv.indexOf('--');
  const candidates = dashDash >= 0 ? argv.slice(dashDash + 1) : argv.slice(1);
  return candidates.filter((a) => /^https?:\/\//i.test(a));
}
