import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LINE_TOO_LONG, splitLines, type Line } from '../../electron/engine/line-reader';
import { parseUrlList, type ListItem } from '../../electron/engine/url-list';

async function parse(text: string): Promise<ListItem[]> {
  async function* lines() {
    yield* text.split('\n');
  }
  const out: ListItem[] = [];
  for await (const item of parseUrlList(lines())) out.push(item);
  return out;
}

describe('parseUrlList', () => {
  it('reads a plain list, skipping blanks and comments', async () => {
    const items = await parse('http://a/1\n\n# comment\nhttps://b/2\n');
    assert.deepEqual(items.map((i) => i.kind === 'entry' && i.request.url), ['http://a/1', 'https://b/2']);
  });

  it("reads aria2's input-file format: mirrors and options", async () => {
    const items = await parse(
      [
        'http://a/f.iso\thttp://mirror/f.iso',
        '  dir=/tmp/x',
        '  out=renamed.iso',
        '  checksum=sha-256=' + 'ab'.repeat(32),
        '  header=X-Api-Key: k1',
        '  split=4',
        '  max-connection-per-server=2',
        '  max-download-limit=1M',
        '  all-proxy=socks5://u:p@127.0.0.1:1080',
        'http://b/g',
      ].join('\n'),
    );
    assert.equal(items.length, 2);
    const first = items[0]!;
    assert.equal(first.kind, 'entry');
    if (first.kind !== 'entry') return;
    assert.deepEqual(first.request, {
      url: 'http://a/f.iso',
      mirrors: ['http://mirror/f.iso'],
      folder: '/tmp/x',
      name: 'renamed.iso',
      options: {
        checksum: { algorithm: 'sha-256', hex: 'ab'.repeat(32) },
        segments: 4,
        maxPerServer: 2,
        proxy: 'socks5://u:p@127.0.0.1:1080',
        speedLimit: 1024 * 1024,
        headers: { 'X-Api-Key': 'k1' },
      },
    });
  });

  it('reports bad lines with their number and keeps the good ones', async () => {
    const items = await parse(
      ['  dir=/orphan', 'ftp://x/y', '  out=belongs-to-ftp', 'not a url', 'http://ok/1', '  split=99', '  bogus=1', 'javascript:alert(1)', 'http://ok/2'].join('\n'),
    );
    const problems = items.filter((i) => i.kind === 'problem').map((i) => `${i.line}: ${(i as { message: string }).message}`);
    assert.deepEqual(problems, [
      '1: option line with no URL above it',
      '2: unsupported scheme ftp: (only http and https)',
      '4: not a URL: not a url',
      '6: split must be a whole number from 1 to 32',
      '7: unknown option "bogus" ignored',
      '8: unsupported scheme javascript: (only http and https)',
    ]);
    assert.deepEqual(items.filter((i) => i.kind === 'entry').map((i) => (i as { request: { url: string } }).request.url), ['http://ok/1', 'http://ok/2']);
    // Only a URI line's problem loses a download; an option line's leaves its download as it is.
    const lost = items.filter((i) => i.kind === 'problem' && i.lost).map((i) => i.line);
    assert.deepEqual(lost, [2, 4, 8]);
  });

  it('says out= with a folder in it is ignored, as -o refuses one, rather than cutting it to its last part', async () => {
    const items = await parse(['http://ok/1', '  out=../escape.bin', 'http://ok/2', '  out=sub\\file.bin', 'http://ok/3', '  out=plain.bin'].join('\n'));
    const problems = items.filter((i) => i.kind === 'problem').map((i) => `${i.line}: ${(i as { message: string }).message}`);
    assert.deepEqual(problems, [
      '2: out="../escape.bin" ignored: give a file name without a folder, and the folder with dir=',
      '4: out="sub\\\\file.bin" ignored: give a file name without a folder, and the folder with dir=',
    ]);
    const names = items.filter((i) => i.kind === 'entry').map((i) => (i as { request: { name?: string } }).request.name);
    assert.deepEqual(names, [undefined, undefined, 'plain.bin']);
  });

  it('holds each entry to the rules of add: a mislabelled digest, too many mirrors or headers are refused at its line', async () => {
    const mirrors = Array.from({ length: 17 }, (_, i) => `http://m${i}/f`).join('\t');
    const headers = Array.from({ length: 33 }, (_, i) => `  header=X-${i}: v`);
    const items = await parse(
      ['http://a/1', '  checksum=sha-256=' + 'ab'.repeat(16), `http://a/2\t${mirrors}`, 'http://a/3', ...headers, 'http://a/4', '  checksum=md5=' + 'ab'.repeat(16), 'http://a/5', '  split=2', '  all-proxy=ftp://p:21'].join('\n'),
    );
    const problems = items.filter((i) => i.kind === 'problem').map((i) => `${i.line}: ${(i as { message: string }).message}`);
    assert.deepEqual(problems, [
      '2: a sha-256 checksum is 64 hex digits: the download is not added, rather than fetched unverified',
      '3: mirrors must be a list of at most 16 URLs',
      '4: headers must be an object of at most 32 "Name": "value" pairs',
      '42: a proxy must be http://, https:// or socks5://, not ftp://: the download is not added, rather than sent without the proxy',
    ]);
    assert.ok(items.filter((i) => i.kind === 'problem').every((i) => (i as { lost: boolean }).lost), 'each of them costs its download');
    assert.deepEqual(items.filter((i) => i.kind === 'entry').map((i) => (i as { request: { url: string } }).request.url), ['http://a/4']);
  });

  it('reports NUL bytes and invalid UTF-8', async () => {
    const items = await parse('http://a/\u0000x\nhttp://b/\ufffd');
    assert.deepEqual(items.map((i) => i.kind), ['problem', 'problem']);
  });

  it('adds no entry with an option line it cannot read: it may have been its checksum or proxy', async () => {
    const items = await parse(['http://a/1', '  all-proxy=http://us\ufffd r:pw@proxy:8080', 'http://a/2', '  checksum=\u0000', 'http://a/3'].join('\n'));
    assert.deepEqual(
      items.map((i) => (i.kind === 'entry' ? i.request.url : `${i.line}: ${i.message} (${i.lost ? 'lost' : 'kept'})`)),
      ['2: line is not valid UTF-8: the download is not added without its option (lost)', '4: line contains a NUL byte: the download is not added without its option (lost)', 'http://a/3'],
    );
  });
});

describe('splitLines', () => {
  async function collect(chunks: Buffer[], maxBytes?: number): Promise<Line[]> {
    async function* source() {
      yield* chunks;
    }
    const out: Line[] = [];
    for await (const line of splitLines(source(), maxBytes)) out.push(line);
    return out;
  }

  it('splits LF and CRLF, keeps a last line without a newline, and decodes characters split across reads', async () => {
    const text = Buffer.from('http://a/1\r\nhttp://a/ü\n\nhttp://a/3');
    const at = text.indexOf(0xc3) + 1; // between the two bytes of ü
    assert.deepEqual(await collect([text.subarray(0, at), text.subarray(at)]), ['http://a/1', 'http://a/ü', '', 'http://a/3']);
  });

  it('marks a line over the limit, and the lines after it are read as usual', async () => {
    const lines = await collect([Buffer.from('x'.repeat(10)), Buffer.from('x'.repeat(10) + '\nhttp://a/\n')], 16);
    assert.deepEqual(lines, [LINE_TOO_LONG, 'http://a/']);
  });

  it('reads a 256 MiB line without a newline in bounded memory, and reports it', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    let peak = 0;
    async function* huge() {
      for (let i = 0; i < 256; i++) {
        const m = process.memoryUsage();
        peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before);
        yield chunk;
      }
      yield Buffer.from('\nhttp://ok/after\n');
    }
    const items: ListItem[] = [];
    for await (const item of parseUrlList(splitLines(huge()))) items.push(item);
    console.log(`# 256 MiB line: memory grew at most ${(peak / 1024 / 1024).toFixed(1)} MiB while reading it`);
    assert.deepEqual(items.map((i) => `${i.line}:${i.kind}`), ['1:problem', '2:entry']);
    assert.match((items[0] as { message: string }).message, /line longer than 64 KiB/);
    assert.ok(peak < 64 * 1024 * 1024, `a line is never held whole (grew ${peak} bytes)`);
  });
});
