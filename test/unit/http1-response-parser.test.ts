import assert from 'node:assert/strict';
import { get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { HttpProtocolError, ResponseParser, type ResponseHead } from '../../electron/engine/receive/http1-response-parser';

interface Parsed {
  head: ResponseHead | null;
  body: Buffer;
  complete: boolean;
  /** Bytes fed but not consumed (after the end of the message). */
  left: number;
  trailers: Record<string, string> | null;
}

/**
 * Feeds `raw` in slices of `slice` bytes through one reused buffer, as a socket's `onread` would, and ends the
 * input if `eof`. The buffer is scribbled over after each slice, so a parser that kept a view would be caught.
 */
function parse(raw: string | Buffer, options: { slice?: number; method?: 'GET' | 'HEAD'; eof?: boolean } = {}): Parsed {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const parser = new ResponseParser();
  parser.begin(options.method ?? 'GET');
  const body: Buffer[] = [];
  parser.onBody = (b, s, e) => body.push(Buffer.from(b.subarray(s, e)));
  const slice = options.slice ?? bytes.length;
  const reused = Buffer.alloc(Math.max(1, slice));
  let left = 0;
  for (let at = 0; at < bytes.length; at += slice) {
    const n = bytes.copy(reused, 0, at, at + slice);
    let used = 0;
    while (used < n && !parser.complete) used = parser.feed(reused, used, n);
    left += n - used;
    reused.fill(0x5a);
  }
  if (options.eof) parser.finish();
  return { head: parser.head, body: Buffer.concat(body), complete: parser.complete, left, trailers: parser.trailers };
}

function parseError(raw: string, slice?: number): string {
  try {
    parse(raw, { slice, eof: true });
  } catch (error) {
    assert.ok(error instanceof HttpProtocolError, `a protocol error, not ${String(error)}`);
    return error.code;
  }
  return 'accepted';
}

describe('HTTP/1.1 response parser: framing', () => {
  it('reads a Content-Length body, whatever the slicing', () => {
    const raw = 'HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-4/10\r\nContent-Length: 5\r\nETag: "a"\r\n\r\nhello';
    for (const slice of [1, 2, 3, 7, 1000]) {
      const r = parse(raw, { slice });
      assert.equal(r.head!.statusCode, 206);
      assert.equal(r.head!.statusMessage, 'Partial Content');
      assert.equal(r.head!.framing, 'length');
      assert.equal(r.head!.contentLength, 5);
      assert.equal(r.head!.headers['content-range'], 'bytes 0-4/10');
      assert.equal(r.head!.headers['etag'], '"a"');
      assert.equal(r.body.toString(), 'hello');
      assert.ok(r.complete);
      assert.ok(r.head!.keepAlive);
    }
  });

  it('reads chunks with extensions and trailers', () => {
    const raw =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n' +
      '5;name=value\r\nhello\r\n1 ; a="b;c"\r\n,\r\nA\r\n world!!!!\r\n0\r\nX-Sum: 42\r\nX-Other:  7 \r\n\r\n';
    for (const slice of [1, 4, 9, 1000]) {
      const r = parse(raw, { slice });
      assert.equal(r.head!.framing, 'chunked');
      assert.equal(r.body.toString(), 'hello, world!!!!');
      assert.deepEqual({ ...r.trailers }, { 'x-sum': '42', 'x-other': '7' });
      assert.ok(r.complete && r.head!.keepAlive);
    }
  });

  it('reads a body delimited by the close of the connection', () => {
    const r = parse('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it', { slice: 4, eof: true });
    assert.equal(r.head!.framing, 'close');
    assert.equal(r.body.toString(), 'all of it');
    assert.ok(r.complete);
    assert.equal(r.head!.keepAlive, false);
    assert.equal(parse('HTTP/1.1 200 OK\r\n\r\nmore', { eof: false }).complete, false, 'not complete before the close');
  });

  it('skips interim answers', () => {
    const raw = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    for (const slice of [1, 5, 1000]) {
      const r = parse(raw, { slice });
      assert.equal(r.head!.statusCode, 200);
      assert.equal(r.head!.headers['link'], undefined);
      assert.equal(r.body.toString(), 'ok');
    }
  });

  it('finds no body in HEAD, 204 and 304 answers, and none after a zero length', () => {
    const head = parse('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n', { method: 'HEAD' });
    assert.equal(head.head!.framing, 'none');
    assert.equal(head.head!.contentLength, 1000, 'the length is still told');
    assert.ok(head.complete);
    for (const status of ['204 No Content', '304 Not Modified']) {
      const r = parse(`HTTP/1.1 ${status}\r\nContent-Length: 10\r\n\r\n`);
      assert.equal(r.head!.framing, 'none');
      assert.ok(r.complete);
    }
    assert.ok(parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').complete);
  });

  it('stops at the end of the message: what follows is not consumed', () => {
    const r = parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n');
    assert.equal(r.body.toString(), 'ok');
    assert.equal(r.left, 'HTTP/1.1 200 OK\r\n'.length);
  });

  it('returns right after the head, before any body byte is handed on', () => {
    const parser = new ResponseParser();
    parser.begin('GET');
    let seen = 0;
    parser.onBody = (_b, s, e) => (seen += e - s);
    const raw = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody');
    const used = parser.feed(raw, 0, raw.length);
    assert.equal(used, raw.length - 4);
    assert.equal(parser.phase, 'body');
    assert.equal(seen, 0);
    assert.equal(parser.feed(raw, used, raw.length), raw.length);
    assert.equal(seen, 4);
    assert.equal(parser.phase, 'done');
  });

  it('decides keep-alive as RFC 9112 does', () => {
    const cases: [string, boolean][] = [
      ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', true],
      ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', false],
      ['HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 0\r\n\r\n', false],
      ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', false],
      ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', true],
      ['HTTP/1.1 200 OK\r\n\r\n', false],
    ];
    for (const [raw, keepAlive] of cases) assert.equal(parse(raw).head!.keepAlive, keepAlive, raw);
  });

  it('joins repeated fields, unfolds obs-fold, and accepts a Content-Length repeated with one value', () => {
    const r = parse('HTTP/1.1 200 OK\r\nX-A: 1\r\nx-a: 2\r\nX-Fold: a\r\n \t b\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc');
    assert.equal(r.head!.headers['x-a'], '1, 2');
    assert.equal(r.head!.headers['x-fold'], 'a b');
    assert.equal(r.head!.contentLength, 3);
    assert.equal(r.body.toString(), 'abc');
  });

  it('gives a field named __proto__ no special meaning', () => {
    const r = parse('HTTP/1.1 200 OK\r\n__proto__: x\r\nContent-Length: 0\r\n\r\n');
    assert.equal(r.head!.headers['__proto__'], 'x');
  });

  it('ends the body at a close only when it is close-delimited', () => {
    const parser = new ResponseParser();
    parser.begin('GET');
    const raw = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf');
    parser.feed(raw, parser.feed(raw, 0, raw.length), raw.length);
    assert.equal(parser.finish(), false);
  });
});

const BIG = 'x'.repeat(17_000);

/**
 * Answers that must fail cleanly, and what Node's own client (llhttp) does with each: most it rejects too;
 * where Braid is stricter or follows RFC 9112 where llhttp does not, the table says so.
 */
const MALFORMED: { name: string; raw: string; code: string; node: string }[] = [
  { name: 'two different Content-Lengths', raw: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!', code: 'HPE_UNEXPECTED_CONTENT_LENGTH', node: 'HPE_UNEXPECTED_CONTENT_LENGTH' },
  { name: 'a list of different Content-Lengths', raw: 'HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!', code: 'HPE_UNEXPECTED_CONTENT_LENGTH', node: 'HPE_INVALID_CONTENT_LENGTH' },
  { name: 'Content-Length with chunked', raw: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', code: 'HPE_INVALID_TRANSFER_ENCODING', node: 'HPE_INVALID_TRANSFER_ENCODING' },
  { name: 'a head over 16 KiB', raw: `HTTP/1.1 200 OK\r\nX-Big: ${BIG}\r\nContent-Length: 0\r\n\r\n`, code: 'HPE_HEADER_OVERFLOW', node: 'HPE_HEADER_OVERFLOW' },
  { name: 'trailers over 16 KiB', raw: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: ${BIG}\r\n\r\n`, code: 'HPE_HEADER_OVERFLOW', node: 'HPE_HEADER_OVERFLOW' },
  { name: 'a Content-Length that is not a number', raw: 'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n', code: 'HPE_INVALID_CONTENT_LENGTH', node: 'HPE_INVALID_CONTENT_LENGTH' },
  { name: 'a negative Content-Length', raw: 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', code: 'HPE_INVALID_CONTENT_LENGTH', node: 'HPE_INVALID_CONTENT_LENGTH' },
  { name: 'a Content-Length past 2^53', raw: 'HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n', code: 'HPE_INVALID_CONTENT_LENGTH', node: 'HPE_INVALID_CONTENT_LENGTH' },
  { name: 'a chunk size that is not hex', raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', code: 'HPE_INVALID_CHUNK_SIZE', node: 'HPE_INVALID_CHUNK_SIZE' },
  { name: 'a chunk size past 2^53', raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n', code: 'HPE_INVALID_CHUNK_SIZE', node: 'HPE_INVALID_CHUNK_SIZE' },
  { name: 'space after a chunk size without an extension', raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n', code: 'HPE_INVALID_CHUNK_SIZE', node: 'HPE_INVALID_CHUNK_SIZE' },
  { name: 'chunk data longer than its size', raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n', code: 'HPE_CR_EXPECTED', node: 'HPE_STRICT' },
  { name: 'chunk extensions over 16 KiB', raw: `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;${'a'.repeat(20_000)}\r\nhello\r\n0\r\n\r\n`, code: 'HPE_CHUNK_EXTENSIONS_OVERFLOW', node: 'HPE_CHUNK_EXTENSIONS_OVERFLOW' },
  { name: 'not HTTP at all', raw: 'SSH-2.0-OpenSSH_9.0\r\n', code: 'HPE_INVALID_CONSTANT', node: 'HPE_INVALID_CONSTANT' },
  { name: 'a status of four digits', raw: 'HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n', code: 'HPE_INVALID_STATUS', node: 'HPE_INVALID_STATUS' },
  { name: 'a status that is not a number', raw: 'HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n', code: 'HPE_INVALID_STATUS', node: 'HPE_INVALID_STATUS' },
  { name: 'a space in a field name', raw: 'HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n', code: 'HPE_INVALID_HEADER_TOKEN', node: 'HPE_INVALID_HEADER_TOKEN' },
  { name: 'space before the colon', raw: 'HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n', code: 'HPE_INVALID_HEADER_TOKEN', node: 'HPE_INVALID_HEADER_TOKEN' },
  { name: 'a field line without a colon', raw: 'HTTP/1.1 200 OK\r\nNoColon\r\nContent-Length: 0\r\n\r\n', code: 'HPE_INVALID_HEADER_TOKEN', node: 'HPE_INVALID_HEADER_TOKEN' },
  { name: 'a control character in a value', raw: 'HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 0\r\n\r\n', code: 'HPE_INVALID_HEADER_TOKEN', node: 'HPE_INVALID_HEADER_TOKEN' },
  { name: 'a fold before any field', raw: 'HTTP/1.1 200 OK\r\n folded\r\nContent-Length: 0\r\n\r\n', code: 'HPE_INVALID_HEADER_TOKEN', node: 'HPE_UNEXPECTED_SPACE' },
  { name: 'lines ended by a bare LF', raw: 'HTTP/1.1 200 OK\nContent-Length: 0\n\n', code: 'HPE_CR_EXPECTED', node: 'HPE_CR_EXPECTED' },
  { name: 'a CR without LF', raw: 'HTTP/1.1 200 OK\rX-A: b\r\nContent-Length: 0\r\n\r\n', code: 'HPE_LF_EXPECTED', node: 'HPE_STRICT' },
  // Stricter than llhttp, which reads these as if nothing were wrong.
  { name: 'HTTP/2.0 in an HTTP/1 status line', raw: 'HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n', code: 'HPE_INVALID_VERSION', node: 'accepted' },
  { name: 'chunked applied twice', raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n', code: 'HPE_INVALID_TRANSFER_ENCODING', node: 'accepted' },
  { name: 'Transfer-Encoding in HTTP/1.0', raw: 'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', code: 'HPE_INVALID_TRANSFER_ENCODING', node: 'accepted' },
];

/** What Node's http client makes of `raw` from a real socket: its error code, or 'accepted'. */
async function nodeVerdict(raw: string): Promise<string> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(raw, 'latin1'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise<string>((resolve) => {
      const request = get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, agent: false }, (response) => {
        response.resume();
        response.on('end', () => resolve('accepted'));
        response.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      request.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
  } finally {
    server.close();
  }
}

describe('HTTP/1.1 response parser: malformed answers fail cleanly', () => {
  for (const c of MALFORMED) {
    it(`${c.name}: ${c.code}`, async () => {
      assert.equal(parseError(c.raw), c.code);
      assert.equal(parseError(c.raw, 1), c.code, 'the same byte by byte');
      assert.equal(parseError(c.raw, 7), c.code, 'the same in odd slices');
      assert.equal(await nodeVerdict(c.raw), c.node, "Node's client");
    });
  }

  it('keeps failing once it has failed', () => {
    const parser = new ResponseParser();
    parser.begin('GET');
    const raw = Buffer.from('HTTP/1.1 abc\r\n');
    assert.throws(() => parser.feed(raw, 0, raw.length), HttpProtocolError);
    assert.throws(() => parser.feed(Buffer.from('HTTP/1.1 200 OK\r\n'), 0, 17), { code: 'HPE_INVALID_STATUS' });
  });
});
