import net from 'node:net';
import type tls from 'node:tls';
import { dialThroughProxy } from './proxied-dial';
import { TlsSessions } from './tls-sessions';

/** Where connections go: one pool entry per scheme, host, port and proxy. */
export interface Origin {
  protocol: 'http:' | 'https:';
  /** A host name or an IP address as `net.connect` takes it (no brackets around IPv6). */
  host: string;
  port: number;
  /** The proxy the connections go through (its URL, credentials included), or null for direct ones. */
  proxy: string | null;
  /** `protocol//host:port`, and ` via proxy` when there is one: the pool's key. */
  key: string;
}

export function originOf(url: URL, proxy: string | null = null): Origin {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported protocol ${url.protocol}`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const key = `${url.protocol}//${url.hostname}:${port}${proxy ? ` via ${proxy}` : ''}`;
  return { protocol: url.protocol, host, port, proxy, key };
}

/**
 * Node's `onread` option: `buffer()` says where the socket's next read lands (asked before the first read and
 * after every read, once `callback` has run), and `callback` gets the bytes read there. It must never return an
 * empty buffer: a read into no room reads as the end of the stream.
 */
export interface ReadInto {
  buffer: () => Buffer;
  callback: (bytes: number, buffer: Buffer) => boolean;
}

/**
 * Opens a connected (for https: TLS-established) socket that reads through `readInto`. It must destroy what it
 * made when `signal` aborts or it fails. The seam where a proxy goes: CONNECT first, then TLS over that socket.
 */
export type Dialer = (origin: Origin, readInto: ReadInto, signal: AbortSignal) => Promise<net.Socket>;

/** TLS as Node's https does it: verified certificates, SNI unless the host is an IP, NODE_EXTRA_CA_CERTS honoured. */
export interface TlsSettings {
  /** Trusted certificates instead of Node's defaults (tests with a certificate made on the spot). */
  ca?: string | Buffer | (string | Buffer)[];
}

/**
 * Plain `net.connect` / `tls.connect`. TLS sessions are remembered per origin so a new connection to a known
 * server resumes its session instead of a full handshake. Node's TLS is loaded with the first https connection:
 * downloads over http need none of it.
 */
export function directDialer(settings: TlsSettings = {}, sessions = new TlsSessions()): Dialer {
  return async (origin, readInto, signal) => {
    if (origin.proxy) return dialThroughProxy(origin, readInto, signal, settings, sessions);
    const tls = origin.protocol === 'https:' ? await import('node:tls') : null;
    return new Promise<net.Socket>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      let socket: net.Socket;
      if (tls) {
        const options: tls.ConnectionOptions & { onread: ReadInto } = {
          host: origin.host,
          port: origin.port,
          servername: net.isIP(origin.host) ? undefined : origin.host,
          ALPNProtocols: ['http/1.1'],
          rejectUnauthorized: true,
          session: sessions.get(origin.key),
          onread: readInto,
          ...(settings.ca !== undefined ? { ca: settings.ca } : {}),
        };
        const secure = tls.connect(options);
        secure.on('session', (session: Buffer) => sessions.set(origin.key, session));
        socket = secure;
      } else {
        socket = net.connect({ host: origin.host, port: origin.port, onread: readInto, noDelay: true });
      }
      const ready = origin.protocol === 'https:' ? 'secureConnect' : 'connect';
      const onReady = () => {
        settle();
        if (origin.protocol === 'https:') socket.setNoDelay(true);
        resolve(socket);
      };
      const onError = (error: Error) => {
        settle();
        if (origin.protocol === 'https:') sessions.delete(origin.key);
        socket.destroy();
        reject(error);
      };
      const onAbort = () => onError(signal.reason as Error);
      const settle = () => {
        socket.off(ready, onReady);
        socket.off('error', onError);
        signal.removeEventListener('abort', onAbort);
      };
      socket.once(ready, onReady);
      socket.once('error', onError);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  };
}
