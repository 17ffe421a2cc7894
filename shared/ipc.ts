import type { DownloadError } from './types';

/** The two IPC channels between the app's renderer and main: every BraidApi call, and engine events. */
export const IPC_CALL = 'braid:call';
export const IPC_EVENT = 'braid:event';

/** What main answers to a call; errors travel as data so the renderer sees the code and a plain message. */
export type IpcReply = { ok: true; value: unknown } | { ok: false; error: DownloadError };
