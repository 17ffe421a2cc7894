import type { BraidApi } from '../../../shared/api';
import { connectWebSocket } from './ws-client';

/** `window.braid` in the app; in a browser, the WebSocket of the server that served this page. */
export async function getBraidApi(): Promise<BraidApi> {
  if (window.braid) return window.braid;
  const secret = new URLSearchParams(location.hash.slice(1)).get('secret') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return connectWebSocket(`${scheme}//${location.host}/api`, secret);
}
