import net from 'node:net';
import type tls from 'node:tls';
import { BraidError } from '../errors';
import { redactProxy } from '../../../shared/proxy-url';
import { socketReady } from './socket-ready';

/** Where a tunnel goes: the host name is sent to the proxy as it is, so the proxy resolves it (remote DNS). */
export interface TunnelTarget {
  host: string;
  port: number;
}

/** A proxy that will not carry a connection: wrong credentials, a refused target, a broken answer. */
export function proxyError(proxy: string, message: string, retryable: boolean, cause?: unknown): BraidError {
  return new BraidError('PROXY_ERROR', `the proxy ${redactProxy(proxy)} ${message}`, { retryable, cause });
}

/** The proxy refused to tunnel to this target (not the credentials): plain HTTP may still go as a proxied request. */
export class TunnelRefused extends BraidError {
  constructor(proxy: string, status: string) {
    super('PROXY_ERROR', `the proxy ${redactProxy(proxy)} refused to open a tunnel: ${status}`, { retryable: false });
  }
}

/** The largest CONNECT answer head read; a proxy that sends more is broken. */
const MAX_CONNECT_HEAD = 16 * 1024;

/**
 * A socket to `target` through the proxy at `proxyUrl`: `http://` and `https://` proxies by CONNECT (with Basic
 * credentials from the URL), `socks5://` (and `socks5h://`, `socks://`) by SOCKS5, the target's name resolved by
 * the proxy. Destroys what it opened when `signal` aborts or anything fails.
 */
export async function openTunnel(proxyUrl: string, target: TunnelTarget, signal: AbortSignal, ca?: tls.ConnectionOptions['ca']): Promise<net.Socket> {
  const proxy = new URL(proxyUrl);
  if (proxy.protocol === 'http:' || proxy.protocol === 'https:') return connectTunnel(proxyUrl, proxy, target, signal, ca);
  return socksTunnel(proxyUrl, proxy, target, signal);
}

function portOf(proxy: URL): number {
  if (proxy.port) return Number(proxy.port);
  return proxy.protocol === 'https:' ? 443 : proxy.protocol === 'http:' ? 80 : 1080;
}

function credentials(proxy: URL): { user: string; password: string } | null {
  if (!proxy.username && !proxy.password) return null;
  return { user: decodeURIComponent(proxy.username), password: decodeURIComponent(proxy.password) };
}


async function connectTunnel(proxyUrl: string, proxy: URL, target: TunnelTarget, signal: AbortSignal, ca?: tls.ConnectionOptions['ca']): Promise<net.Socket> {
  const host = proxy.hostname.replace(/^\[|\]$/g, '');
  const port = portOf(proxy);
  const unreachable = (error: Error) => proxyError(proxyUrl, `cannot be reached: ${error.message}`, true, error);
  let socket: net.Socket;
  if (proxy.protocol === 'https:') {
    const { connect } = await import('node:tls');
    socket = connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], ...(ca !== undefined ? { ca } : {}) });
    await socketReady(socket, 'secureConnect', signal, unreachable);
  } else {
    socket = net.connect({ host, port, noDelay: true });
    await socketReady(socket, 'connect', signal, unreachable);
  }
  const authority = `${net.isIPv6(target.host) ? `[${target.host}]` : target.host}:${target.port}`;
  const auth = credentials(proxy);
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
  if (auth) lines.push(`Proxy-Authorization: Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  const status = await connectAnswer(proxyUrl, socket, signal);
  if (status.code === 200) return socket;
  socket.destroy();
  if (status.code === 407) {
    throw proxyError(proxyUrl, auth ? 'refused the user name or password (407)' : 'asks for a user name and password (407): give them in the proxy URL', false);
  }
  throw new TunnelRefused(proxyUrl, status.line);
}

/** Reads the proxy's answer to CONNECT up to its blank line; bytes after it (none, normally) are put back. */
function connectAnswer(proxyUrl: string, socket: net.Socket, signal: AbortSignal): Promise<{ code: number; line: string }> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const settle = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (error: Error) => {
      settle();
      socket.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_CONNECT_HEAD) fail(proxyError(proxyUrl, 'sent an answer to CONNECT that never ends', false));
        return;
      }
      settle();
      socket.pause();
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      const line = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(line);
      if (!match) {
        socket.destroy();
        reject(proxyError(proxyUrl, `answered CONNECT with something other than HTTP: ${JSON.stringify(line.slice(0, 80))}`, false));
        return;
      }
      resolve({ code: Number(match[1]), line: line.slice(9) || match[1]! });
    };
    const onError = (error: Error) => fail(proxyError(proxyUrl, `closed the connection: ${error.message}`, true, error));
    const onEnd = () => fail(proxyError(proxyUrl, 'closed the connection before answering CONNECT', true));
    const onAbort = () => fail(signal.reason as Error);
    if (signal.aborted) return onAbort();
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('end', onEnd);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function socksTunnel(proxyUrl: string, proxy: URL, target: TunnelTarget, signal: AbortSignal): Promise<net.Socket> {
  // Loaded only when a SOCKS proxy is used.
  const { SocksClient } = await import('socks');
  const auth = credentials(proxy);
  const pending = SocksClient.createConnection({
    proxy: {
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: portOf(proxy),
      type: 5,
      ...(auth ? { userId: auth.user, password: auth.password } : {}),
    },
    command: 'connect',
    destination: { host: target.host, port: target.port },
    timeout: 60_000,
  });
  // The SOCKS client takes no signal: an abort settles the wait at once and closes the socket if it comes later.
  let onAbort = () => {};
  const abort = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const { socket } = await Promise.race([pending, abort]);
    socket.setNoDelay(true);
    return socket;
  } catch (error) {
    if (signal.aborted) {
      pending.then(({ socket }) => socket.destroy(), () => undefined);
      throw signal.reason;
    }
    const message = (error as Error).message ?? String(error);
    if (/authentication failed|no acceptable authentication/i.test(message)) {
      throw proxyError(proxyUrl, auth ? 'refused the user name or password (SOCKS5)' : 'asks for a user name and password (SOCKS5): give them in the proxy URL', false);
    }
    // The SOCKS client passes on the socket's own error when the proxy itself could not be reached.
    if (/^(connect|getaddrinfo) E[A-Z]+/.test(message)) throw proxyError(proxyUrl, `cannot be reached: ${message}`, true, error);
    throw proxyError(proxyUrl, `could not connect to ${target.host}:${target.port}: ${message}`, true, error);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
