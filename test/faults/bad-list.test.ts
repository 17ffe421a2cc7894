import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { BRAID, run, type Run } from '../support/cli';
import { tempDir } from '../support/harness';

const LINES = 1_000_000;
const HUGE_LINE = 500_000;
/** Every thousandth line is bad, in turn each of these. */
const BAD: { bytes: Buffer; reason: RegExp }[] = [
  { bytes: Buffer.from('file:///etc/passwd'), reason: /unsupported scheme file:/ },
  { bytes: Buffer.from('ftp://127.0.0.1/x'), reason: /unsupported scheme ftp:/ },
  { bytes: Buffer.from('javascript:alert(1)'), reason: /unsupported scheme javascript:/ },
  { bytes: Buffer.from('data:text/plain,hello'), reason: /unsupported scheme data:/ },
  { bytes: Buffer.from('http://127.0.0.1:9/a\u0000b'), reason: /NUL byte/ },
  { bytes: Buffer.from([...Buffer.from('http://127.0.0.1:9/'), 0xff, 0xfe, 0x41]), reason: /not valid UTF-8/ },
  { bytes: Buffer.from('http://[::1'), reason: /not a URL/ },
  { bytes: Buffer.from('not a url at all'), reason: /not a URL/ },
];

async function runWithPeakMemory(args: string[]): Promise<Run & { maxRssMiB: number }> {
  const done = await run(process.execPath, ['--import', join(import.meta.dirname, '../support/report-max-rss.mjs'), BRAID, ...args]);
  const kib = Number(/max-rss-kib=(\d+)/.exec(done.stderr)?.[1] ?? NaN);
  return { ...done, maxRssMiB: kib / 1024 };
}

describe('a million-line list with bad lines in it', () => {
  let dir: string;
  let list: string;
  const expectedBad = new Map<number, RegExp>();
  before(async () => {
    dir = await tempDir();
    list = join(dir, 'list.txt');
    const out = createWriteStream(list);
    let pending: Buffer[] = [];
    const write = async (b: Buffer) => {
      pending.push(b);
      if (pending.length >= 4096) {
        if (!out.write(Buffer.concat(pending))) await once(out, 'drain');
        pending = [];
      }
    };
    for (let n = 1; n <= LINES; n++) {
      if (n === HUGE_LINE) {
        // 16 MiB with no newline until its end: a line the reader must drop as it goes, not hold.
        await write(Buffer.alloc(16 * 1024 * 1024, 0x61));
        expectedBad.set(n, /line longer than 64 KiB/);
      } else if (n % 1000 === 0) {
        const bad = BAD[(n / 1000) % BAD.length]!;
        await write(bad.bytes);
        expectedBad.set(n, bad.reason);
      } else {
        await write(Buffer.from(`http://127.0.0.1:9/file-${n}.bin`));
      }
      await write(Buffer.from('\n'));
    }
    out.end(Buffer.concat(pending));
    await once(out, 'finish');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports each bad line with its number and reason, imports every other line, in bounded memory', async () => {
    const db = join(dir, 'state.db');
    const started = Date.now();
    const run = await runWithPeakMemory(['add', '--paused', '-i', list, '-d', join(dir, 'files'), '--db', db]);
    const seconds = (Date.now() - started) / 1000;
    console.log(`# ${LINES} lines (${expectedBad.size} bad, one of 16 MiB): exit ${run.code}, ${seconds.toFixed(1)} s, peak RSS ${run.maxRssMiB.toFixed(0)} MiB`);
    assert.equal(run.code, 1, 'refused lines make the exit code non-zero');
    const good = LINES - expectedBad.size;
    assert.match(run.stdout, new RegExp(`queued ${good} downloads \\(paused\\), ${expectedBad.size} refused`));

    const reported = new Map<number, string>();
    for (const line of run.stderr.split('\n')) {
      const m = /^braid: .*list\.txt:(\d+): (.*)$/.exec(line);
      if (m) reported.set(Number(m[1]), m[2]!);
    }
    assert.equal(reported.size, expectedBad.size, 'one report per bad line');
    for (const [n, reason] of expectedBad) assert.match(reported.get(n) ?? '(not reported)', reason, `line ${n}`);

    const store = new Database(db, { readonly: true });
    try {
      const { count } = store.prepare('SELECT count(*) AS count FROM downloads').get() as { count: number };
      assert.equal(count, good);
      const urls = store.prepare("SELECT count(*) AS count FROM downloads WHERE url NOT LIKE 'http://127.0.0.1:9/file-%'").get() as { count: number };
      assert.equal(urls.count, 0, 'nothing from a bad line was stored');
    } finally {
      store.close();
    }
    assert.ok(run.maxRssMiB < 512, `peak RSS ${run.maxRssMiB} MiB`);
  });
});
