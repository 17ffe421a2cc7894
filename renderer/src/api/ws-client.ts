import type { BraidApi } from '../../../shared/api';
import type { EngineEvent } from '../../../shared/types';
import { bindCommands, CLOSE_UNAUTHORIZED, type ClientMessage, type ServerMessage } from '../../../shared/wire';
import { ConnectError, type Connection, type ConnectionState } from './connection';

/** How long to wait before each new attempt after `braid serve` went away: soon at first, then every 5 s. */
const RETRY_MS = [500, 1000, 2000, 5000];

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * The BraidApi over the WebSocket of `braid serve`: each command a call with an id, events pushed. Once
 * connected, a lost socket is opened again and again (the page shows "reconnecting"); calls made meanwhile fail
 * at once instead of hanging. Resolves once the first socket is ready; rejects when the secret is refused.
 */
export function connectWebSocket(url: string, secret: string): Promise<{ api: BraidApi; connection: Connection }> {
  const listeners = new Set<(event: EngineEvent) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const pending = new Map<number, Pending>();
  let state: ConnectionState = 'reconnecting';
  let socket: WebSocket | null = null;
  let nextId = 1;
  let attempt = 0;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const l of stateListeners) l(next);
  };
  const connection: Connection = {
    state: () => state,
    subscribe(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
  };
  const commands = bindCommands(
    (method, args) =>
      new Promise((resolve, reject) => {
        if (state !== 'connected' || !socket) {
          reject(new Error('not connected to Braid; reconnecting'));
          return;
        }
        const id = nextId++;
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ type: 'call', id, method, args } satisfies ClientMessage));
      }),
  );
  const api: BraidApi = {
    ...commands,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  return new Promise((resolve, reject) => {
    let everReady = false;
    const open = () => {
      const ws = new WebSocket(url);
      socket = ws;
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', secret } satisfies ClientMessage));
      ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data)) as ServerMessage;
        if (m.type === 'ready') {
          attempt = 0;
          setState('connected');
          if (!everReady) resolve({ api, connection });
          everReady = true;
        } else if (m.type === 'event') {
          for (const l of listeners) l(m.event);
        } else {
          const p = pending.get(m.id);
          pending.delete(m.id);
          if (m.ok) p?.resolve(m.value);
          else p?.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
        }
      };
      ws.onclose = (e) => {
        for (const p of pending.values()) p.reject(new Error('the connection to Braid was lost'));
        pending.clear();
        if (!everReady) {
          if (e.code === CLOSE_UNAUTHORIZED) reject(new ConnectError('wrong-secret', e.reason || 'wrong secret'));
          else reject(new ConnectError('unreachable', e.reason || 'Braid is not answering at this address'));
          return;
        }
        setState('reconnecting');
        setTimeout(open, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]);
      };
    };
    open();
  });
}
