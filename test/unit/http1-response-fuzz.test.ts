import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ResponseParser, type ResponseHead } from '../../electron/engine/receive/http1-response-parser';

/** One answer for Node's server to give, and how the client asks for it and slices what it reads. */
interface Case {
  status: number;
  reason: string;
  headers: [string, string | string[]][];
  interim: (100 | 102 | 103)[];
  bodySize: number;
  seed: number;
  framing: 'length' | 'chunked' | 'none-given';
  pieces: number;
  trailer: string | null;
  method: 'GET' | 'HEAD';
  requestVersion: '1.0' | '1.1';
  connection: 'keep-alive' | 'close' | null;
  slices: number[];
}

/** Deterministic bytes for a case, so a failing case replays with the same body. */
function bodyOf(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed | 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const tokenChar = fc.constantFrom(...'!#$%&\'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
const headerName = fc.string({ unit: tokenChar, minLength: 1, maxLength: 20 }).map((s) => `x-${s}`);
/** Visible ASCII and obs-text, with spaces and tabs inside but not at the ends (those are not part of a value). */
const valueChar = fc.oneof(
  fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom(' ', '\t'),
);
const headerValue = fc.string({ unit: valueChar, maxLength: 60 }).map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ''));
const reasonText = fc.string({ unit: fc.constantFrom(...'abcdefgh XYZ-'.split('')), maxLength: 20 });

const caseArb: fc.Arbitrary<Case> = fc.record({
  status: fc.oneof(fc.constantFrom(200, 204, 206, 304, 404, 416, 500), fc.integer({ min: 200, max: 599 })),
  reason: reasonText,
  headers: fc.uniqueArray(fc.tuple(headerName, fc.oneof(headerValue, fc.array(headerValue, { minLength: 1, maxLength: 3 }))), {
    selector: ([name]) => name.toLowerCase(),
    maxLength: 8,
  }),
  interim: fc.array(fc.constantFrom(100 as const, 102 as const, 103 as const), { maxLength: 2 }),
  bodySize: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: 400_000 })),
  seed: fc.integer(),
  framing: fc.constantFrom('length' as const, 'chunked' as const, 'none-given' as const),
  pieces: fc.integer({ min: 1, max: 6 }),
  trailer: fc.option(headerValue.filter((v) => v.length > 0), { nil: null }),
  method: fc.constantFrom('GET' as const, 'GET' as const, 'GET' as const, 'HEAD' as const),
  requestVersion: fc.constantFrom('1.1' as const, '1.1' as const, '1.0' as const),
  connection: fc.constantFrom('keep-alive' as const, 'close' as const, null),
  slices: fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 6 }),
});

function noBodyStatus(status: number): boolean {
  return status === 204 || status === 304;
}

describe('HTTP/1.1 response parser against Node http server', () => {
  let server: Server;
  let port = 0;
  const cases = new Map<string, Case>();

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const c = cases.get(req.url!)!;
      if (c.interim.includes(100)) res.writeContinue();
      if (c.interim.includes(102)) res.writeProcessing();
      if (c.interim.includes(103)) res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      const body = bodyOf(c.bodySize, c.seed);
      const headers: Record<string, string | string[] | number> = Object.fromEntries(c.headers);
      if (c.framing === 'length' && !noBodyStatus(c.status)) headers['content-length'] = body.length;
      // Node frames with chunks only a body it has to send to an HTTP/1.1 client without a length.
      const chunked = c.framing !== 'length' && c.trailer !== null && c.method === 'GET' && !noBodyStatus(c.status) && c.requestVersion === '1.1';
      if (chunked) headers['trailer'] = 'x-trailer';
      res.writeHead(c.status, c.reason, headers);
      for (let i = 0; i < c.pieces; i++) {
        res.write(body.subarray(Math.floor((body.length * i) / c.pieces), Math.floor((body.length * (i + 1)) / c.pieces)));
      }
      if (chunked) res.addTrailers({ 'x-trailer': c.trailer! });
      res.end();
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Reads Node's answer from a socket and feeds it to the parser through one reused buffer, in random slices. */
  async function exchange(path: string, c: Case): Promise<{ head: ResponseHead; body: Buffer; trailers: Record<string, string> | null; closedAfter: boolean }> {
    const parser = new ResponseParser();
    parser.begin(c.method);
    const body: Buffer[] = [];
    parser.onBody = (b, s, e) => body.push(Buffer.from(b.subarray(s, e)));
    const reused = Buffer.alloc(9000);
    const socket = connect({ host: '127.0.0.1', port });
    const connection = c.connection ? `Connection: ${c.connection}\r\n` : '';
    socket.write(`${c.method} ${path} HTTP/${c.requestVersion}\r\nHost: 127.0.0.1\r\n${connection}\r\n`);
    return await new Promise((resolve, reject) => {
      let slice = 0;
      let done = false;
      const finish = (closedAfter: boolean) => {
        if (done) return;
        done = true;
        socket.destroy();
        if (!parser.complete) reject(new Error('the message did not complete'));
        else resolve({ head: parser.head!, body: Buffer.concat(body), trailers: parser.trailers, closedAfter });
      };
      socket.on('data', (chunk: Buffer) => {
        try {
          for (let at = 0; at < chunk.length && !done; ) {
            const size = c.slices[slice++ % c.slices.length]!;
            const n = chunk.copy(reused, 0, at, at + size);
            at += n;
            let used = 0;
            while (used < n && !parser.complete) used = parser.feed(reused, used, n);
            assert.equal(used, n, 'nothing follows the message');
            reused.fill(0xee); // a parser that kept a view of the buffer would now see garbage
            if (parser.complete && parser.head!.keepAlive) finish(false);
          }
        } catch (error) {
          done = true;
          socket.destroy();
          reject(error);
        }
      });
      socket.on('end', () => {
        if (!done) parser.finish();
        finish(true);
      });
      socket.on('error', reject);
    });
  }

  it('reads back exactly what Node sent: status, headers, body, trailers, framing and keep-alive', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const path = `/case-${n++}`;
        cases.set(path, c);
        const { head, body, trailers, closedAfter } = await exchange(path, c);
        cases.delete(path);
        assert.equal(head.statusCode, c.status);
        assert.equal(head.statusMessage, c.reason);
        for (const [name, value] of c.headers) {
          assert.equal(head.headers[name.toLowerCase()], Array.isArray(value) ? value.join(', ') : value, name);
        }
        const hasBody = c.method === 'GET' && !noBodyStatus(c.status);
        assert.deepEqual(body, hasBody ? bodyOf(c.bodySize, c.seed) : Buffer.alloc(0));
        if (hasBody && c.framing === 'length') {
          assert.equal(head.framing, c.bodySize === 0 ? 'none' : 'length');
          assert.equal(head.contentLength, c.bodySize);
        }
        if (hasBody && head.framing === 'chunked' && c.trailer !== null) assert.equal(trailers?.['x-trailer'], c.trailer);
        if (!hasBody) assert.equal(head.framing, 'none');
        // Node says in Connection whether it keeps the socket; the parser must agree, and a close must follow.
        const nodeKeeps = head.headers['connection']?.toLowerCase() !== 'close';
        assert.equal(head.keepAlive, nodeKeeps && head.framing !== 'close');
        if (!head.keepAlive) assert.ok(closedAfter, 'Node closed the connection');
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });
});
