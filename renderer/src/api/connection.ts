/** Whether the page can reach the engine now: the app always can; a browser tab may lose `braid serve`. */
export type ConnectionState = 'connected' | 'reconnecting';

export interface Connection {
  state(): ConnectionState;
  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: (state: ConnectionState) => void): () => void;
}

export const ALWAYS_CONNECTED: Connection = { state: () => 'connected', subscribe: () => () => undefined };

/** Why the first connection failed: the secret (missing or refused) or the engine not answering at all. */
export class ConnectError extends Error {
  constructor(
    readonly reason: 'no-secret' | 'wrong-secret' | 'unreachable',
    message: string,
  ) {
    super(message);
  }
}
