import type { BraidApi } from '../../../shared/api';
import type { EngineEvent } from '../../../shared/types';
import { bindCommands, type ClientMessage, type ServerMessage } from '../../../shared/wire';

/** The BraidApi over the WebSocket of `braid serve`: each command a call with an id, events pushed. */
export function connectWebSocket(url: string, secret: string): Promise<BraidApi> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    const listeners = new Set<(event: EngineEvent) => void>();
    let nextId = 1;
    const send = (m: ClientMessage) => ws.send(JSON.stringify(m));
    const commands = bindCommands(
      (method, args) =>
        new Promise((res, rej) => {
          const id = nextId++;
          pending.set(id, { resolve: res, reject: rej });
          send({ type: 'call', id, method, args });
        }),
    );
    const api: BraidApi = {
      ...commands,
      onEvent(listener: (event: EngineEvent) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    ws.onopen = () => send({ type: 'hello', secret });
    ws.onclose = (e) => {
      reject(new Error(e.reason || 'connection closed'));
      for (const p of pending.values()) p.reject(new Error('connection closed'));
      pending.clear();
    };
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data)) as ServerMessage;
      if (m.type === 'ready') resolve(api);
      else if (m.type === 'event') for (const l of listeners) l(m.event);
      else {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.ok) p?.resolve(m.value);
        else p?.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      }
    };
  });
}
