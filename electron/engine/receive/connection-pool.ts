import type net from 'node:net';
import { directDialer, type Dialer, type Origin, type ReadInto, type TlsSettings } from './dialer';
import { networkError } from './errors';

// Where connections go and how they are opened live in dialer.ts; re-exported for the pool's users.
export { directDialer, originOf, type Dialer, type Origin, type ReadInto, type TlsSettings } from './dialer';

/** The most the first read of a request brings: a response head, usually, and no more. */
export const FIRST_READ = 1024;

/** Who gets a connection's reads, its end and its errors while it carries a request. */
export interface ConnectionReader {
  /**
   * `length` bytes were read into `buffer`: the connection's own, reused for every read, or the view
   * `readTarget` returned for this read.
   */
  onData(buffer: Buffer, length: number): void;
  /**
   * Where the next read may land instead of the connection's own buffer: a view of memory the bytes would be
   * copied to anyway, or null. The socket may read into it at any time until `readTargetReturned()`.
   */
  readTarget?(): Buffer | null;
  /** The socket reads no more into the view `readTarget` last returned. */
  readTargetReturned?(): void;
  /** The most the next read into the connection's own buffer may bring; absent: all of it. */
  readLimit?(): number;
  /** The server closed its side. */
  onEnd(): void;
  /** The socket failed, or closed without the server ending it first. */
  onError(error: Error): void;
}

/**
 * One socket of the pool and its own buffer, where its reads land unless its reader lends it a place of its
 * own for the next one.
 */
export class Connection {
  /** Requests this connection has carried, counting the one it carries now. */
  requests = 0;
  private reader: ConnectionReader | null = null;
  /** The reader whose view the socket reads into next; told when the socket has moved on. */
  private lender: ConnectionReader | null = null;
  private closed = false;

  constructor(
    readonly origin: Origin,
    readonly socket: net.Socket,
    readonly readBuffer: Buffer,
    onClose: (connection: Connection) => void,
  ) {
    socket.on('end', () => {
      if (this.reader) this.reader.onEnd();
      else socket.destroy();
    });
    socket.on('error', (error) => this.reader?.onError(error));
    socket.on('close', () => {
      this.closed = true;
      this.returnReadTarget();
      this.reader?.onError(networkError('ECONNRESET', 'the connection closed'));
      this.reader = null;
      onClose(this);
    });
  }

  get open(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  attach(reader: ConnectionReader): void {
    this.reader = reader;
  }

  detach(): void {
    this.reader = null;
  }

  /** Called for every read; an idle connection that receives bytes has a server out of step with us. */
  received(bytes: number, buffer: Buffer): void {
    if (this.reader) this.reader.onData(buffer, bytes);
    else this.socket.destroy();
  }

  /** Where the socket's next read lands; asked before the first read and after every read. */
  nextReadTarget(): Buffer {
    this.returnReadTarget();
    const view = this.reader?.readTarget?.() ?? null;
    if (view === null || view.length === 0) {
      // Bytes read sooner than a speed limit allows are bytes past it: under a limit reads stay small, and so
      // does the read an idle connection waits on, which the next request's head and first bytes will fill.
      const limit = this.reader ? (this.reader.readLimit?.() ?? this.readBuffer.length) : FIRST_READ;
      return limit < this.readBuffer.length ? this.readBuffer.subarray(0, Math.max(1, limit)) : this.readBuffer;
    }
    this.lender = this.reader;
    return view;
  }

  private returnReadTarget(): void {
    const lender = this.lender;
    this.lender = null;
    lender?.readTargetReturned?.();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export interface ConnectionPoolOptions {
  /** Connections per origin, busy and idle together; more requests wait their turn. */
  maxPerOrigin?: number;
  /** Idle connections kept over all origins; the longest idle goes first. */
  maxIdle?: number;
  /** An idle connection is closed after this long (servers close theirs too, typically after 5 s or more). */
  idleTimeoutMs?: number;
  /** Deadline for DNS, TCP and the TLS handshake together. */
  connectTimeoutMs?: number;
  /** Size of each connection's read buffer: the most one read can bring. */
  readBufferSize?: number;
  tls?: TlsSettings;
  /** Replaces direct connections (a proxy); `tls` is then the dialer's business. */
  dial?: Dialer;
}

interface Waiter {
  fresh: boolean;
  resolve: (connection: Connection) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface OriginState {
  origin: Origin;
  idle: Connection[];
  /** Connections open or being opened, idle included. */
  count: number;
  waiters: Waiter[];
}

/**
 * Keep-alive connections per origin, bounded per origin and in idle count. Every socket reads into its own
 * reused buffer (`onread`), so receiving allocates nothing per read.
 */
export class ConnectionPool {
  private readonly origins = new Map<string, OriginState>();
  /** Idle connections in the order they became idle, with their timers. */
  private readonly idle = new Map<Connection, NodeJS.Timeout>();
  private readonly sockets = new Set<net.Socket>();
  private dialing = 0;
  private closed = false;
  private readonly maxPerOrigin: number;
  private readonly maxIdle: number;
  private readonly idleTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly readBufferSize: number;
  private readonly dial: Dialer;

  constructor(options: ConnectionPoolOptions = {}) {
    this.maxPerOrigin = options.maxPerOrigin ?? 32;
    this.maxIdle = options.maxIdle ?? 64;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 4000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
    this.readBufferSize = options.readBufferSize ?? 64 * 1024;
    this.dial = options.dial ?? directDialer(options.tls);
  }

  /** Sockets opened by the pool and not closed yet, connecting ones included: zero after `close()`. */
  get openSockets(): number {
    return this.sockets.size + this.dialing;
  }

  get idleCount(): number {
    return this.idle.size;
  }

  /** Origins the pool keeps state for (open connections or waiting requests). */
  get originCount(): number {
    return this.origins.size;
  }

  /**
   * A connection to `origin`: the most recently idle one, else a new one, else the first one freed (waiting
   * while the origin has `maxPerOrigin`). `fresh` skips idle ones, for a retry after a kept-alive socket the
   * server had already closed.
   */
  acquire(origin: Origin, signal?: AbortSignal, options: { fresh?: boolean } = {}): Promise<Connection> {
    if (this.closed) return Promise.reject(networkError('ECONNABORTED', 'the connection pool is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const state = this.stateOf(origin);
    const fresh = options.fresh ?? false;
    if (!fresh) {
      const connection = this.takeIdle(state);
      if (connection) return Promise.resolve(connection);
    } else if (state.count >= this.maxPerOrigin && state.idle.length > 0) {
      this.takeIdle(state)?.destroy(); // makes room; its close frees the slot
    }
    if (state.count < this.maxPerOrigin) {
      state.count++;
      return this.connect(state, signal);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        fresh,
        resolve,
        reject,
        signal,
        onAbort: () => {
          state.waiters.splice(state.waiters.indexOf(waiter), 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      state.waiters.push(waiter);
    });
  }

  /**
   * Gives a connection back. Only a connection whose last answer was read to its end and allows keep-alive is
   * `reusable`; any other is closed. `idleTimeoutMs` shortens the idle time for this one (the server's hint).
   */
  release(connection: Connection, reusable: boolean, options: { idleTimeoutMs?: number } = {}): void {
    connection.detach();
    const idleTimeoutMs = Math.min(this.idleTimeoutMs, options.idleTimeoutMs ?? Infinity);
    if (!reusable || this.closed || !connection.open || idleTimeoutMs <= 0) {
      connection.destroy();
      return;
    }
    const state = this.stateOf(connection.origin);
    const waiter = state.waiters[0];
    if (waiter?.fresh) {
      // The next request needs a new socket: closing this one makes room, and its close serves the request.
      connection.destroy();
      return;
    }
    if (waiter) {
      state.waiters.shift();
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(connection);
      return;
    }
    state.idle.push(connection);
    const timer = setTimeout(() => this.evict(connection), idleTimeoutMs);
    timer.unref();
    this.idle.set(connection, timer);
    if (this.idle.size > this.maxIdle) this.evict(this.idle.keys().next().value!);
  }

  /** Closes every socket and fails every waiting request. */
  close(): void {
    this.closed = true;
    for (const state of this.origins.values()) {
      for (const waiter of state.waiters.splice(0)) {
        waiter.signal?.removeEventListener('abort', waiter.onAbort);
        waiter.reject(networkError('ECONNABORTED', 'the connection pool is closed'));
      }
    }
    for (const socket of this.sockets) socket.destroy();
  }

  private stateOf(origin: Origin): OriginState {
    let state = this.origins.get(origin.key);
    if (!state) {
      state = { origin, idle: [], count: 0, waiters: [] };
      this.origins.set(origin.key, state);
    }
    return state;
  }

  private takeIdle(state: OriginState): Connection | null {
    for (let connection = state.idle.pop(); connection; connection = state.idle.pop()) {
      clearTimeout(this.idle.get(connection));
      this.idle.delete(connection);
      if (connection.open) return connection;
    }
    return null;
  }

  /** Takes an idle connection out of the pool for good. */
  private evict(connection: Connection): void {
    clearTimeout(this.idle.get(connection));
    this.idle.delete(connection);
    const idle = this.origins.get(connection.origin.key)?.idle;
    const at = idle ? idle.indexOf(connection) : -1;
    if (at >= 0) idle!.splice(at, 1);
    connection.destroy();
  }

  /** An origin with nothing open and nobody waiting is forgotten, so visiting many hosts leaves nothing behind. */
  private tidy(state: OriginState): void {
    if (state.count === 0 && state.waiters.length === 0 && state.idle.length === 0) this.origins.delete(state.origin.key);
  }

  private async connect(state: OriginState, signal: AbortSignal | undefined): Promise<Connection> {
    const cancel = new AbortController();
    const deadline = setTimeout(
      () => cancel.abort(Object.assign(networkError('ETIMEDOUT', `could not connect to ${state.origin.host}:${state.origin.port} within ${this.connectTimeoutMs} ms`), { connecting: true })),
      this.connectTimeoutMs,
    );
    const onCancel = () => cancel.abort(signal!.reason);
    signal?.addEventListener('abort', onCancel, { once: true });
    // The reads of a socket land here until `target` is set, once the socket is wrapped.
    const readBuffer = Buffer.allocUnsafeSlow(this.readBufferSize);
    // Node asks where the first read lands as the socket is made, before any request and its speed limit: a
    // whole buffer there would let a download's every new connection bring a buffer's worth past the limit.
    const firstRead = readBuffer.subarray(0, Math.min(FIRST_READ, readBuffer.length));
    let target: Connection | null = null;
    const readInto: ReadInto = {
      buffer: () => target?.nextReadTarget() ?? firstRead,
      callback: (bytes, buffer) => {
        target?.received(bytes, buffer);
        return true;
      },
    };
    this.dialing++;
    let socket: net.Socket;
    try {
      socket = await this.dial(state.origin, readInto, cancel.signal);
    } catch (error) {
      state.count--;
      this.serveWaiter(state);
      this.tidy(state);
      throw error;
    } finally {
      this.dialing--;
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onCancel);
    }
    if (this.closed) {
      socket.destroy();
      state.count--;
      this.tidy(state);
      throw networkError('ECONNABORTED', 'the connection pool is closed');
    }
    const connection = new Connection(state.origin, socket, readBuffer, (c) => this.forget(c));
    target = connection;
    this.sockets.add(socket);
    return connection;
  }

  /** A socket closed: its slot goes to the next waiting request. */
  private forget(connection: Connection): void {
    this.sockets.delete(connection.socket);
    this.evict(connection);
    const state = this.stateOf(connection.origin);
    state.count--;
    this.serveWaiter(state);
    this.tidy(state);
  }

  private serveWaiter(state: OriginState): void {
    if (this.closed || state.count >= this.maxPerOrigin) return;
    const waiter = state.waiters.shift();
    if (!waiter) return;
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    state.count++;
    this.connect(state, waiter.signal).then(waiter.resolve, waiter.reject);
  }
}
