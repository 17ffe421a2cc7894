import type { BraidApi } from '../../../shared/api';
import { ALWAYS_CONNECTED, ConnectError, type Connection } from './connection';
import { connectWebSocket } from './ws-client';

/** `window.braid` in the app; in a browser, the WebSocket of the server that served this page. */
export async function getBraidApi(): Promise<{ api: BraidApi; connection: Connection; inApp: boolean }> {
  if (window.braid) return { api: window.braid, connection: ALWAYS_CONNECTED, inApp: true };
  const secret = new URLSearchParams(location.hash.slice(1)).get('secret') ?? '';
  if (secret === '') throw new ConnectError('no-secret', 'this address has no secret');
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return { ...(await connectWebSocket(`${scheme}//${location.host}/api`, secret)), inApp: false };
}
