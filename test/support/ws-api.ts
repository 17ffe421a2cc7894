import WebSocket from 'ws';
import type { BraidApi } from '../../shared/api';
import type { ApiMethod } from '../../shared/wire';

type Commands = Omit<BraidApi, 'onEvent'>;

/** A test's own client of `braid serve`: the same calls the page makes, to set a scene without clicking it. */
export async function connectApi(serveUrl: string, secret: string): Promise<{ api: Commands; close(): void }> {
  const ws = new WebSocket(serveUrl.replace('http:', 'ws:') + '/api', { headers: { origin: serveUrl } });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', secret })));
    ws.on('error', reject);
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.type === 'ready') resolve();
      if (m.type !== 'result') return;
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(new Error(m.error.message));
    });
  });
  const call = (method: ApiMethod, args: unknown[]) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ type: 'call', id, method, args }));
    });
  const api = new Proxy({} as Commands, { get: (_t, method: string) => (...args: unknown[]) => call(method as ApiMethod, args) });
  return { api, close: () => ws.close() };
}
