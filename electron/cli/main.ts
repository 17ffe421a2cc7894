import { Command, InvalidArgumentError, Option } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes } from '../../shared/format';
import { CONCURRENT_DOWNLOADS, CONNECTIONS, HEADER_NAME, HEADER_VALUE, type WholeRange } from '../../shared/limits';
import type { AddRequest, DownloadOptions, DownloadRecord } from '../../shared/types';
import { BraidError, createEngine, DEFAULT_SETTINGS, DEFAULT_TIMING, parseByteSize, parseChecksum, type Engine } from '../engine/index';
import { describeStoreFailure, openDatabase } from '../store/database';
import { SqliteDownloadRepository } from '../store/download-repository';
import { acquireEngineLock } from '../store/engine-lock';
import { defaultDatabasePath } from './data-dir';
import { barsView, linesView } from './progress';
import { collectRequests, type RequestDefaults } from './requests';
import { startServer } from './serve';

const ADD_BATCH = 1000;
/** `list` shows this many rows unless -n says otherwise: a queue may hold millions. */
const LIST_DEFAULT_LIMIT = 1000;

function wholeNumber({ min, max }: WholeRange) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
    return n;
  };
}

function rate(text: string): number {
  const n = parseByteSize(text);
  if (n === null) throw new InvalidArgumentError('a rate such as 500K or 2M (bytes per second)');
  return n;
}

function header(text: string, previous: Record<string, string>): Record<string, string> {
  const colon = text.indexOf(':');
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  if (colon <= 0 || !HEADER_NAME.test(name) || !HEADER_VALUE.test(value)) throw new InvalidArgumentError('a header such as "Authorization: Bearer x"');
  return { ...previous, [name]: value };
}

function checksum(text: string) {
  try {
    return parseChecksum(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

interface CommonFlags {
  db?: string;
  input?: string;
  dir?: string;
}

function openStore(flags: CommonFlags) {
  const path = resolve(flags.db ?? defaultDatabasePath());
  const db = openDatabase(path);
  return { db, path, repo: new SqliteDownloadRepository(db) };
}

/** The store for a command that runs downloads: refused while another engine runs on the same database. */
function openStoreToRun(flags: CommonFlags) {
  const store = openStore(flags);
  try {
    const lock = acquireEngineLock(store.path);
    return { ...store, lock };
  } catch (error) {
    store.db.close();
    throw error;
  }
}

function say(line: string): void {
  process.stderr.write(`braid: ${line}\n`);
}

/** Queues everything the command was given, in batches; returns the ids and how many entries were refused. */
async function queueAll(
  engine: Engine,
  urls: string[],
  flags: CommonFlags,
  defaults: RequestDefaults,
  reuseUnfinished: boolean,
  keepIds: boolean,
): Promise<{ ids: number[]; queued: number; refused: number }> {
  // `add` of a million-line list needs only the count; `get` needs the ids to wait for.
  const ids: number[] = [];
  let queued = 0;
  let refused = 0;
  let batch: AddRequest[] = [];
  const flush = () => {
    for (const result of engine.addSync(batch)) {
      if (result.ok) {
        queued++;
        if (keepIds) ids.push(result.id);
      } else {
        refused++;
        say(`${result.url}: ${result.error.message}`);
      }
    }
    batch = [];
  };
  for await (const item of collectRequests(urls, flags.input, defaults)) {
    if ('problem' in item) {
      refused++;
      say(item.problem);
      continue;
    }
    const r = item.request;
    if (reuseUnfinished) {
      try {
        const existing = engine.requeueUnfinished(r.url, r.folder ?? defaults.folder ?? '.', r.name ?? null);
        if (existing !== null) {
          queued++;
          ids.push(existing);
          continue;
        }
      } catch {
        // An invalid URL: addSync below reports it.
      }
    }
    batch.push(r);
    if (batch.length >= ADD_BATCH) flush();
  }
  flush();
  return { ids, queued, refused };
}

interface GetFlags extends CommonFlags {
  output?: string;
  segments?: number;
  concurrent?: number;
  limit?: number;
  retries?: number;
  checksum?: ReturnType<typeof parseChecksum>;
  header: Record<string, string>;
}

async function runGet(urls: string[], flags: GetFlags): Promise<number> {
  if (urls.length === 0 && !flags.input) {
    say('nothing to download: give URLs or -i FILE');
    return 2;
  }
  const { db, repo, lock } = openStoreToRun(flags);
  const engine = createEngine({
    repo,
    overrides: {
      ...(flags.concurrent ? { maxConcurrent: flags.concurrent } : {}),
      ...(flags.segments ? { segments: flags.segments } : {}),
      ...(flags.limit !== undefined ? { globalSpeedLimit: flags.limit } : {}),
    },
    ...(flags.retries !== undefined ? { timing: { retry: { ...DEFAULT_TIMING.retry, maxAttempts: flags.retries } } } : {}),
  });
  const options: DownloadOptions = {};
  if (flags.segments) options.segments = flags.segments;
  if (flags.checksum) options.checksum = flags.checksum;
  if (Object.keys(flags.header).length > 0) options.headers = flags.header;
  const folder = resolve(flags.dir ?? '.');
  const { ids, refused } = await queueAll(engine, urls, flags, { folder, name: flags.output, options }, true, true);

  const view = process.stdout.isTTY ? barsView(process.stdout) : linesView(process.stdout);
  engine.onEvent((event) => view.onEvent(event));
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) return;
    interrupted = true;
    say('stopping: saving progress (run the same command again to resume)');
    void engine.close();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  engine.start({ only: ids });
  await engine.whenSettled(ids);
  await engine.close();
  view.stop();
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);

  let failed = refused;
  for (const id of ids) {
    const r = repo.get(id);
    if (!r || r.status === 'completed') continue;
    if (r.status === 'failed') {
      failed++;
      say(`failed: ${r.url}: ${r.error?.message ?? 'unknown error'} [${r.error?.code ?? '?'}]`);
    }
  }
  db.close();
  lock.release();
  if (interrupted) return 130;
  return failed > 0 ? 1 : 0;
}

interface AddFlags extends CommonFlags {
  paused?: boolean;
  segments?: number;
}

async function runAdd(urls: string[], flags: AddFlags): Promise<number> {
  if (urls.length === 0 && !flags.input) {
    say('nothing to add: give URLs or -i FILE');
    return 2;
  }
  const { db, repo } = openStore(flags);
  const engine = createEngine({ repo });
  const options: DownloadOptions = flags.segments ? { segments: flags.segments } : {};
  const folder = flags.dir ? resolve(flags.dir) : undefined;
  const { queued, refused } = await queueAll(engine, urls, flags, { folder, options, paused: flags.paused }, false, false);
  await engine.close();
  db.close();
  process.stdout.write(`queued ${queued} download${queued === 1 ? '' : 's'}${flags.paused ? ' (paused)' : ''}${refused ? `, ${refused} refused` : ''}\n`);
  return refused > 0 ? 1 : 0;
}

function describe(r: DownloadRecord): string {
  const progress = r.size ? `${((r.bytesDone / r.size) * 100).toFixed(1).padStart(5)}%` : '     -';
  const size = r.size === null ? '?' : formatBytes(r.size);
  const error = r.error ? `  (${r.error.code}: ${r.error.message})` : '';
  return `${String(r.id).padStart(6)}  ${r.status.padEnd(9)} ${progress} ${size.padStart(10)}  ${r.name ?? r.url}${error}`;
}

function runList(flags: CommonFlags & { status?: string[]; limit?: number; json?: boolean }): number {
  const { db, repo } = openStore(flags);
  const page = repo.list({ status: flags.status as DownloadRecord['status'][] | undefined, limit: flags.limit ?? LIST_DEFAULT_LIMIT });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(page)}\n`);
  } else {
    for (const r of page.items) process.stdout.write(`${describe(r)}\n`);
    if (page.total > page.items.length) process.stdout.write(`… ${page.total - page.items.length} more (use -n)\n`);
    const counts = repo.countByStatus();
    process.stdout.write(
      `${page.total} download${page.total === 1 ? '' : 's'}: ${Object.entries(counts).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ') || 'none'}\n`,
    );
  }
  db.close();
  return 0;
}

interface ServeFlags {
  db?: string;
  dir?: string;
  host: string;
  port: number;
  secret?: string;
}

async function runServe(flags: ServeFlags): Promise<number> {
  const { db, repo, lock } = openStoreToRun(flags);
  const engine = createEngine({ repo, overrides: flags.dir ? { folder: resolve(flags.dir) } : {} });
  // The bundled CLI lives in out/cli/; the built renderer beside it in out/renderer/.
  const staticDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
  const server = await startServer(engine, { host: flags.host, port: flags.port, secret: flags.secret, staticDir });
  engine.start();
  process.stdout.write(`Braid is serving on ${server.url}/#secret=${server.secret}\n`);
  if (flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1') {
    say(`warning: listening on ${flags.host}, not only this machine; anyone with the secret can drive downloads`);
  }
  await new Promise<void>((done) => {
    const stop = () => {
      say('stopping: saving progress');
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await engine.close();
  db.close();
  lock.release();
  return 0;
}

export function buildProgram(): Command {
  const program = new Command()
    .name('braid')
    .description('Segmented, resumable downloads that keep their memory bounded.')
    .version('0.1.0')
    .showHelpAfterError();
  const dbOption = () => new Option('--db <file>', `state database (default: ${defaultDatabasePath()})`);

  program
    .command('get')
    .description('download now; exits 0 when every download finished')
    .argument('[url...]', 'http(s) URLs')
    .option('-i, --input <file>', 'read URLs from a list (plain, or aria2 input-file format)')
    .option('-d, --dir <dir>', 'folder to save into', '.')
    .option('-o, --output <name>', 'file name (for a single URL)')
    .option('-s, --segments <n>', `parallel connections per download (default ${DEFAULT_SETTINGS.segments})`, wholeNumber(CONNECTIONS))
    .option('-j, --concurrent <n>', `downloads at once (default ${DEFAULT_SETTINGS.maxConcurrent})`, wholeNumber(CONCURRENT_DOWNLOADS))
    .option('--limit <rate>', 'overall speed limit, e.g. 2M (bytes per second)', rate)
    .option('--retries <n>', `attempts in a row without progress before a download fails (default ${DEFAULT_TIMING.retry.maxAttempts})`, wholeNumber({ min: 1, max: 100 }))
    .option('--checksum <algo=hex>', 'verify the file: md5, sha-1, sha-256 or sha-512', checksum)
    .option('--header <header>', 'extra request header "Name: value" (repeatable)', header, {})
    .addOption(dbOption())
    .action(async (urls: string[], flags: GetFlags) => {
      if (flags.output && urls.length + (flags.input ? 2 : 0) > 1) {
        say('-o names one file: give a single URL');
        process.exitCode = 2;
        return;
      }
      process.exitCode = await runGet(urls, flags);
    });

  program
    .command('add')
    .description('queue downloads without starting them (the app and `braid serve` run the queue)')
    .argument('[url...]', 'http(s) URLs')
    .option('-i, --input <file>', 'read URLs from a list (plain, or aria2 input-file format)')
    .option('-d, --dir <dir>', 'folder to save into (default: the settings folder)')
    .option('-s, --segments <n>', 'parallel connections per download', wholeNumber(CONNECTIONS))
    .option('--paused', 'add them paused')
    .addOption(dbOption())
    .action(async (urls: string[], flags: AddFlags) => {
      process.exitCode = await runAdd(urls, flags);
    });

  program
    .command('list')
    .description('show the downloads the database holds')
    .option('--status <status...>', 'only these: queued active paused completed failed')
    .option('-n, --limit <n>', `at most this many (default ${LIST_DEFAULT_LIMIT})`, wholeNumber({ min: 1, max: Number.MAX_SAFE_INTEGER }))
    .option('--json', 'machine-readable output')
    .addOption(dbOption())
    .action((flags: CommonFlags & { status?: string[]; limit?: number; json?: boolean }) => {
      process.exitCode = runList(flags);
    });

  program
    .command('serve')
    .description('run the queue behind the Braid UI in a browser (HTTP + WebSocket, loopback by default)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', wholeNumber({ min: 0, max: 65535 }), 7373)
    .option('--secret <secret>', 'secret the browser must present (default: generated and printed)')
    .option('-d, --dir <dir>', 'folder for new downloads in this run (default: the settings folder)')
    .addOption(dbOption())
    .action(async (flags: ServeFlags) => {
      process.exitCode = await runServe(flags);
    });

  return program;
}

async function main(): Promise<void> {
  // File writes and syncs of every download share libuv's thread pool; its default of 4 threads queues
  // writes behind syncs when several downloads run. Read when the pool first starts, so set it first.
  process.env['UV_THREADPOOL_SIZE'] ??= '8';
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    const problem = error instanceof BraidError ? error.message : describeStoreFailure(error);
    if (problem !== null) {
      // Bad input, or a database that cannot be used: one line, nothing more changed.
      say(problem);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

await main();
