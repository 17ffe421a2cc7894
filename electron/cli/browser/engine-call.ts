import WebSocket from 'ws';
import type { ApiMethod, ServerMessage } from '../../../shared/wire';
import type { EngineEndpoint } from '../engine-endpoint';

/** No answer within this long: the engine is taken as not running, and the download is queued instead. */
const TIMEOUT_MS = 10_000;

/** The engine could not be reached at all (nothing was asked of it). */
export class EngineUnreachable extends Error {}

/** The engine answered with a refusal. */
export class EngineRefused extends Error {}

/** One call to the running engine over `braid serve`'s WebSocket: the secret first, then the call. */
export function callEngine(endpoint: EngineEndpoint, method: ApiMethod, args: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let asked = false;
    const ws = new WebSocket(endpoint.url, { handshakeTimeout: TIMEOUT_MS });
    const timer = setTimeout(() => finish(asked ? new EngineRefused('the running Braid did not answer in time') : new EngineUnreachable('no answer')), TIMEOUT_MS);
    const finish = (error: Error | null, value?: unknown) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      if (error) reject(error);
      else resolve(value);
    };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', secret: endpoint.secret })));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      if (message.type === 'ready') {
        asked = true;
        ws.send(JSON.stringify({ type: 'call', id: 1, method, args }));
      } else if (message.type === 'result' && message.id === 1) {
        if (message.ok) finish(null, message.value);
        else finish(new EngineRefused(message.error.message));
      }
    });
    ws.on('close', (code) => finish(asked ? new EngineRefused(`the running Braid closed the connection (${code})`) : new EngineUnreachable(`closed ${code}`)));
    ws.on('error', (error) => finish(asked ? new EngineRefused(error.message) : new EngineUnreachable(error.message)));
  });
}
