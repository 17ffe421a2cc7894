import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';

/**
 * What both test proxies share: optional credentials, names they resolve themselves (so a name only they know
 * proves the client left DNS to the proxy), and a record of what they carried: the targets asked for and the
 * local port of every connection they opened onwards (the origin sees exactly those).
 */
abstract class TestProxy {
  protected server!: net.Server;
  protected readonly sockets = new Set<Socket>();
  /** Connections clients opened to the proxy. */
  connections = 0;
  /** `host:port` of every target asked for, as the client sent it. */
  readonly targets: string[] = [];
  /** Local ports of the proxy's own connections to targets. */
  readonly upstreamPorts = new Set<number>();
  /** Refusals for wrong or missing credentials. */
  authFailures = 0;
  port = 0;

  constructor(
    protected readonly credentials: { user: string; password: string } | null = null,
    private readonly names: Record<string, string> = {},
  ) {}

  protected track(server: net.Server): void {
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    });
  }

  /** A connection to the target, its name resolved by the proxy's own table first. */
  protected dial(host: string, port: number, onReady: () => void): Socket {
    this.targets.push(`${host}:${port}`);
    const upstream = net.connect({ host: this.names[host] ?? host, port }, () => {
      this.upstreamPorts.add(upstream.localPort!);
      onReady();
    });
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    return upstream;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The proxy's URL with these credentials (or its own, or none). */
  abstract url(credentials?: { user: string; password: string } | null): string;

  protected withCredentials(scheme: string, credentials: { user: string; password: string } | null | undefined): string {
    const auth = credentials === undefined ? this.credentials : credentials;
    const userinfo = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@` : '';
    return `${scheme}://${userinfo}127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * An HTTP proxy: CONNECT tunnels, and plain-http requests in the absolute form, with Basic credentials; spoken
 * over TLS (an `https://` proxy) when given a certificate.
 */
export class HttpConnectProxy extends TestProxy {
  constructor(
    credentials: { user: string; password: string } | null = null,
    names: Record<string, string> = {},
    private readonly certificate?: { key: string | Buffer; cert: string | Buffer },
  ) {
    super(credentials, names);
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      if (!this.authorised(req.headers['proxy-authorization'])) {
        res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', 'content-length': 0 }).end();
        return;
      }
      const target = new URL(req.url!);
      const headers = { ...req.headers };
      delete headers['proxy-authorization'];
      const upstream = this.dial(target.hostname, Number(target.port || 80), () => {
        const forward = httpRequest({ createConnection: () => upstream, path: target.pathname + target.search, method: req.method, headers }, (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        });
        forward.on('error', () => res.destroy());
        req.pipe(forward);
      });
      upstream.on('error', () => res.destroy());
    };
    const server: Server = certificate ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, handler) : createHttpServer(handler);
    server.on('connect', (req, client: Socket, head: Buffer) => {
      client.on('error', () => undefined);
      if (!this.authorised(req.headers['proxy-authorization'])) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const [host, port] = splitAuthority(req.url!);
      const upstream = this.dial(host, port, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
    this.track(server);
  }

  private authorised(header: string | undefined): boolean {
    if (!this.credentials) return true;
    const expected = `Basic ${Buffer.from(`${this.credentials.user}:${this.credentials.password}`).toString('base64')}`;
    if (header === expected) return true;
    this.authFailures++;
    return false;
  }

  url(credentials?: { user: string; password: string } | null): string {
    return this.withCredentials(this.certificate ? 'https' : 'http', credentials);
  }
}

function splitAuthority(authority: string): [string, number] {
  const at = authority.lastIndexOf(':');
  return [authority.slice(0, at).replace(/^\[|\]$/g, ''), Number(authority.slice(at + 1))];
}

/** A SOCKS5 proxy (RFC 1928) with user name and password (RFC 1929), CONNECT only. */
export class Socks5Proxy extends TestProxy {
  constructor(credentials: { user: string; password: string } | null = null, names: Record<string, string> = {}) {
    super(credentials, names);
    this.track(net.createServer((client) => this.serve(client)));
  }

  url(credentials?: { user: string; password: string } | null): string {
    return this.withCredentials('socks5', credentials);
  }

  private serve(client: Socket): void {
    let pending = Buffer.alloc(0);
    let stage: 'greeting' | 'auth' | 'request' = 'greeting';
    const onData = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (stage === 'greeting') {
          if (pending.length < 2 || pending.length < 2 + pending[1]!) return;
          const methods = [...pending.subarray(2, 2 + pending[1]!)];
          pending = pending.subarray(2 + pending[1]!);
          const method = this.credentials ? 0x02 : 0x00;
          if (!methods.includes(method)) return void client.end(Buffer.from([5, 0xff]));
          client.write(Buffer.from([5, method]));
          stage = this.credentials ? 'auth' : 'request';
        } else if (stage === 'auth') {
          if (pending.length < 2) return;
          const userLength = pending[1]!;
          if (pending.length < 3 + userLength) return;
          const passwordLength = pending[2 + userLength]!;
          if (pending.length < 3 + userLength + passwordLength) return;
          const user = pending.subarray(2, 2 + userLength).toString();
          const password = pending.subarray(3 + userLength, 3 + userLength + passwordLength).toString();
          pending = pending.subarray(3 + userLength + passwordLength);
          if (user !== this.credentials!.user || password !== this.credentials!.password) {
            this.authFailures++;
            return void client.end(Buffer.from([1, 1]));
          }
          client.write(Buffer.from([1, 0]));
          stage = 'request';
        } else {
          if (pending.length < 5) return;
          const type = pending[3]!;
          const length = type === 1 ? 4 : type === 4 ? 16 : 1 + pending[4]!;
          if (pending.length < 4 + length + 2) return;
          const address = pending.subarray(4, 4 + length);
          const host = type === 3 ? address.subarray(1).toString() : type === 1 ? [...address].join('.') : formatIpv6(address);
          const port = pending.readUInt16BE(4 + length);
          const rest = pending.subarray(4 + length + 2);
          client.off('data', onData);
          const upstream = this.dial(host, port, () => {
            client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
            if (rest.length > 0) upstream.write(rest);
            upstream.pipe(client);
            client.pipe(upstream);
          });
          upstream.on('error', () => client.end(Buffer.from([5, 4, 0, 1, 0, 0, 0, 0, 0, 0])));
          client.on('close', () => upstream.destroy());
          return;
        }
      }
    };
    client.on('data', onData);
  }
}

function formatIpv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}
