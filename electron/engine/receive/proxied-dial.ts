import net from 'node:net';
import { socketReady } from '../proxy/socket-ready';
import { openTunnel, TunnelRefused } from '../proxy/tunnel';
import type { Origin, ReadInto, TlsSettings } from './dialer';
import { NotForFastPath } from './errors';
import type { TlsSessions } from './tls-sessions';

/**
 * A connection to `origin` through its proxy: a tunnel (CONNECT or SOCKS5), then TLS over it for https, checked
 * as Node's https checks it. Node honours `onread` only for sockets it connects itself, not for TLS over an
 * existing socket nor for the socket a SOCKS client hands back, so reads arrive as chunks that Node allocates and
 * are copied to where the next read would land: the same path after that, at the cost of one copy and one
 * allocation per read (measured in test/engine/proxy.test.ts). A proxy that refuses to tunnel to a plain-http
 * origin hands the request to got, which asks such a proxy in the absolute form instead.
 */
export async function dialThroughProxy(
  origin: Origin,
  readInto: ReadInto,
  signal: AbortSignal,
  settings: TlsSettings,
  sessions: TlsSessions,
): Promise<net.Socket> {
  let tunnel: net.Socket;
  try {
    tunnel = await openTunnel(origin.proxy!, { host: origin.host, port: origin.port }, signal, settings.ca);
  } catch (error) {
    if (error instanceof TunnelRefused && origin.protocol === 'http:') throw new NotForFastPath(error.message);
    throw error;
  }
  let socket: net.Socket = tunnel;
  if (origin.protocol === 'https:') {
    const { connect } = await import('node:tls');
    const secure = connect({
      socket: tunnel,
      servername: net.isIP(origin.host) ? undefined : origin.host,
      ALPNProtocols: ['http/1.1'],
      rejectUnauthorized: true,
      session: sessions.get(origin.key),
      ...(settings.ca !== undefined ? { ca: settings.ca } : {}),
    });
    secure.on('session', (session: Buffer) => sessions.set(origin.key, session));
    try {
      await socketReady(secure, 'secureConnect', signal);
    } catch (error) {
      sessions.delete(origin.key);
      tunnel.destroy();
      throw error;
    }
    socket = secure;
  }
  feed(socket, readInto);
  socket.resume();
  return socket;
}

/** Every chunk the socket emits, copied piece by piece to where the next read would land, as `onread` would hand it on. */
function feed(socket: net.Socket, readInto: ReadInto): void {
  const { buffer, callback } = readInto;
  let target = buffer();
  socket.on('data', (chunk: Buffer) => {
    for (let at = 0; at < chunk.length; ) {
      const n = chunk.copy(target, 0, at);
      at += n;
      callback(n, target);
      target = buffer();
    }
  });
}
