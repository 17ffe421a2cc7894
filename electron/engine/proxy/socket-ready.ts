import type net from 'node:net';

/**
 * Resolves once the socket emits `event` (connected, or its TLS handshake done); rejects with `fail(error)` on an
 * error, or with the abort's reason, destroying the socket either way.
 */
export function socketReady(socket: net.Socket, event: string, signal: AbortSignal, fail: (error: Error) => Error = (error) => error): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      socket.off(event, onReady);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onReady = () => {
      settle();
      resolve();
    };
    const onError = (error: Error) => {
      settle();
      socket.destroy();
      reject(fail(error));
    };
    const onAbort = () => {
      settle();
      socket.destroy();
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    socket.once(event, onReady);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
