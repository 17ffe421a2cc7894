// The receive path side by side: N ranged GETs of one file, bytes copied into pooled 256 KiB buffers and written
// at their offsets, then fdatasync — once through got streams, once through Braid's own path (pooled sockets
// reading into one reused buffer each). Each run is a child process, so its peak RSS is its own.
//
// usage: node --import tsx test/bench/receive-path.ts [URL] [CONNECTIONS] [ROUNDS]
//   URL defaults to the bench origin's http://127.0.0.1:18080/fast/1g.bin (../shared/bench/setup.sh);
//   TLS=1 uses https://127.0.0.1:18443/fast/1g.bin and trusts the origin's certificate (NODE_EXTRA_CA_CERTS).
//   BYTES=N fetches only the first N bytes of the file. READ_BUFFER_KIB sets the sockets' read buffer (default 64).
//   MODES='braid' runs one side only. VERIFY=0 skips the sha-256 check against the origin's list.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { close, fdatasync, ftruncate, open, write } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const BENCH_RUN = '/tmp/dlbench';
const BUFFER_SIZE = 256 * 1024;
/** Writes a connection may have in flight before it stops reading (as the engine's segment sink does). */
const MAX_PENDING_WRITES = 2;

type Mode = 'got' | 'braid';
const MODES = (process.env.MODES ?? 'got braid').split(/\s+/).filter((m): m is Mode => m === 'got' || m === 'braid');

interface Figures {
  mode: Mode;
  wallS: number;
  userS: number;
  sysS: number;
  peakRssMiB: number;
  baseRssMiB: number;
  bytes: number;
}

/** Fixed-size buffers handed out and taken back. */
class Buffers {
  private free: Buffer[] = [];
  get(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(BUFFER_SIZE);
  }
  put(buffer: Buffer): void {
    this.free.push(buffer);
  }
}

/** One connection's bytes: copied into pooled buffers, each written at its offset when full. */
class SegmentWriter {
  private buffer: Buffer | null = null;
  private length = 0;
  private offset: number;
  private pending = 0;
  private failure: Error | null = null;
  private drainWaiter: (() => void) | null = null;
  private doneWaiter: (() => void) | null = null;

  constructor(
    private readonly fd: number,
    start: number,
    private readonly buffers: Buffers,
  ) {
    this.offset = start;
  }

  /** Copies all of it; false when the reader should wait for `drained()` before reading more. */
  push(source: Buffer, start: number, end: number): boolean {
    if (this.failure) throw this.failure;
    while (start < end) {
      if (!this.buffer) {
        this.buffer = this.buffers.get();
        this.length = 0;
      }
      const n = source.copy(this.buffer, this.length, start, end);
      this.length += n;
      start += n;
      if (this.length === BUFFER_SIZE) this.flush();
    }
    return this.pending < MAX_PENDING_WRITES;
  }

  drained(): Promise<void> {
    if (this.pending < MAX_PENDING_WRITES) return Promise.resolve();
    return new Promise((resolve) => (this.drainWaiter = resolve));
  }

  onDrain(callback: () => void): void {
    this.drainWaiter = callback;
  }

  async finish(): Promise<void> {
    this.flush();
    if (this.pending > 0) await new Promise<void>((resolve) => (this.doneWaiter = resolve));
    if (this.failure) throw this.failure;
  }

  private flush(): void {
    const buffer = this.buffer;
    if (!buffer || this.length === 0) return;
    const length = this.length;
    const position = this.offset;
    this.offset += length;
    this.buffer = null;
    this.pending++;
    write(this.fd, buffer, 0, length, position, (error) => {
      if (error) this.failure ??= error;
      this.buffers.put(buffer);
      this.pending--;
      if (this.pending < MAX_PENDING_WRITES && this.drainWaiter) {
        const wake = this.drainWaiter;
        this.drainWaiter = null;
        wake();
      }
      if (this.pending === 0 && this.doneWaiter) this.doneWaiter();
    });
  }
}

function ranges(size: number, connections: number): [number, number][] {
  const step = Math.ceil(size / connections);
  const out: [number, number][] = [];
  for (let first = 0; first < size; first += step) out.push([first, Math.min(size, first + step) - 1]);
  return out;
}

async function viaGot(url: string, fd: number, size: number, connections: number): Promise<void> {
  // Each mode loads only its own code, so neither pays for the other's memory.
  const { default: got } = await import('got');
  const agentOptions = { keepAlive: true, maxSockets: connections };
  const client = got.extend({
    agent: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
    decompress: false,
    retry: { limit: 0 },
    headers: { 'accept-encoding': 'identity' },
  });
  const buffers = new Buffers();
  await Promise.all(
    ranges(size, connections).map(async ([first, last]) => {
      const writer = new SegmentWriter(fd, first, buffers);
      const stream = client.stream(url, { headers: { range: `bytes=${first}-${last}` } });
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (!writer.push(chunk, 0, chunk.length)) await writer.drained();
      }
      await writer.finish();
    }),
  );
}

async function viaBraid(url: string, fd: number, size: number, connections: number): Promise<void> {
  const { ConnectionPool } = await import('../../electron/engine/receive/connection-pool');
  const { openRange } = await import('../../electron/engine/receive/range-request');
  const readBufferSize = process.env.READ_BUFFER_KIB ? Number(process.env.READ_BUFFER_KIB) * 1024 : undefined;
  const pool = new ConnectionPool({ maxPerOrigin: connections, readBufferSize });
  const buffers = new Buffers();
  try {
    await Promise.all(
      ranges(size, connections).map(async ([first, last]) => {
        const writer = new SegmentWriter(fd, first, buffers);
        const response = await openRange(pool, { url, headers: { range: `bytes=${first}-${last}` }, firstByteTimeoutMs: 30_000 });
        if (response.head.statusCode !== 206) throw new Error(`answered ${response.head.statusCode}`);
        const end = await response.receive((b, s, e) => {
          if (!writer.push(b, s, e)) {
            response.pause();
            writer.onDrain(() => response.resume());
          }
        }, last - first + 1);
        if (end.bytes !== last - first + 1) throw new Error(`received ${end.bytes} of ${last - first + 1} bytes`);
        await writer.finish();
      }),
    );
  } finally {
    pool.close();
  }
}

async function child(mode: Mode, url: string, size: number, connections: number, path: string): Promise<void> {
  if (mode === 'got') await import('got');
  else await import('../../electron/engine/receive/range-request');
  const fd = await promisify(open)(path, 'w');
  await promisify(ftruncate)(fd, size);
  const baseRss = process.memoryUsage.rss();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await (mode === 'got' ? viaGot : viaBraid)(url, fd, size, connections);
  await promisify(fdatasync)(fd);
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await promisify(close)(fd);
  const figures: Figures = {
    mode,
    wallS: wall,
    userS: used.user / 1e6,
    sysS: used.system / 1e6,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    baseRssMiB: baseRss / 1024 / 1024,
    bytes: size,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

/** The file's size; this process started before NODE_EXTRA_CA_CERTS was set, so the CA is passed by hand. */
async function sizeOf(url: string, caFile: string | undefined): Promise<number> {
  const { default: got } = await import('got');
  const response = await got.head(url, { retry: { limit: 0 }, https: caFile ? { certificateAuthority: readFileSync(caFile) } : {} });
  const size = Number(response.headers['content-length']);
  if (!Number.isSafeInteger(size) || size <= 0) throw new Error(`no size for ${url}`);
  return size;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function expectedSha(url: string): string | null {
  const list = join(BENCH_RUN, 'data.sha256');
  if (!existsSync(list)) return null;
  const name = basename(new URL(url).pathname);
  const line = readFileSync(list, 'utf8').split('\n').find((l) => l.endsWith(`/${name}`));
  return line?.split(/\s+/)[0] ?? null;
}

function runChild(mode: Mode, url: string, size: number, connections: number, path: string, env: NodeJS.ProcessEnv): Promise<Figures> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', import.meta.filename, '--child', mode, url, String(size), String(connections), path],
      { env, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => (error ? reject(new Error(`${mode}: ${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Figures)),
    ),
  );
}

async function main(): Promise<void> {
  const tls = process.env.TLS === '1';
  const url = process.argv[2] || (tls ? 'https://127.0.0.1:18443/fast/1g.bin' : 'http://127.0.0.1:18080/fast/1g.bin');
  const connections = Number(process.argv[3] || 8);
  const rounds = Number(process.argv[4] || 2);
  const env = { ...process.env };
  // As peers.sh does: over TLS the children trust the bench origin's self-signed certificate.
  if (url.startsWith('https:') && existsSync(join(BENCH_RUN, 'tls.crt'))) env.NODE_EXTRA_CA_CERTS = join(BENCH_RUN, 'tls.crt');
  const fullSize = await sizeOf(url, env.NODE_EXTRA_CA_CERTS);
  const size = process.env.BYTES ? Math.min(fullSize, Number(process.env.BYTES)) : fullSize;
  const want = size === fullSize && process.env.VERIFY !== '0' ? expectedSha(url) : null;
  const dir = mkdtempSync(join(tmpdir(), 'braid-receive-bench-'));
  console.log(`${url}: ${(size / 2 ** 20).toFixed(0)} MiB over ${connections} connections, ${rounds} round(s)`);
  console.log('mode    wall_s  user_s  sys_s  cpu_s  peak_rss_MiB  base_rss_MiB  growth_MiB  sha');
  const byMode: Record<Mode, Figures[]> = { got: [], braid: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const mode of MODES) {
        const path = join(dir, `${mode}.bin`);
        const f = await runChild(mode, url, size, connections, path, env);
        const sha = want ? ((await sha256(path)) === want ? 'ok' : 'BAD') : '-';
        rmSync(path, { force: true });
        byMode[mode].push(f);
        console.log(
          `${mode.padEnd(6)} ${f.wallS.toFixed(2).padStart(7)} ${f.userS.toFixed(2).padStart(7)} ${f.sysS.toFixed(2).padStart(6)} ${(f.userS + f.sysS).toFixed(2).padStart(6)} ${f.peakRssMiB.toFixed(0).padStart(13)} ${f.baseRssMiB.toFixed(0).padStart(13)} ${(f.peakRssMiB - f.baseRssMiB).toFixed(0).padStart(11)}  ${sha}`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  if (byMode.got.length === 0 || byMode.braid.length === 0) return;
  const ratio = (pick: (f: Figures) => number) => (median(byMode.braid.map(pick)) / median(byMode.got.map(pick))).toFixed(2);
  console.log(
    `braid / got (medians): wall ${ratio((f) => f.wallS)}, cpu ${ratio((f) => f.userS + f.sysS)}, ` +
      `peak rss ${ratio((f) => f.peakRssMiB)}, rss growth ${ratio((f) => f.peakRssMiB - f.baseRssMiB)}`,
  );
}

if (process.argv[2] === '--child') {
  const [, , , mode, url, size, connections, path] = process.argv;
  await child(mode as Mode, url!, Number(size), Number(connections), path!);
} else {
  await main();
}
