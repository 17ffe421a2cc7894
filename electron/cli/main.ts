import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseByteSize } from '../../shared/byte-size';
import { parseChecksum } from '../../shared/checksum';
import { DEFAULT_CONCURRENT, DEFAULT_CONNECTIONS, DEFAULT_RETRY_ATTEMPTS } from '../../shared/defaults';
import { CONCURRENT_DOWNLOADS, CONNECTIONS, CONNECTIONS_PER_SERVER, HEADER_NAME, HEADER_VALUE, PROTOCOL_HEADERS, TOTAL_CONNECTIONS, type WholeRange } from '../../shared/limits';
import { proxyProblem } from '../../shared/proxy-url';
import type { AddFlags } from './commands/add';
import type { HostFlags, InstallFlags } from './commands/browser-host';
import { BROWSERS } from '../../shared/browser-bridge';
import type { GetFlags } from './commands/get';
import type { RefreshFlags } from './commands/refresh';
import type { ServeFlags } from './commands/serve';
import { defaultDatabasePath } from './data-dir';
import { STOP_SIGNALS } from './stop-signals';
import type { CommonFlags } from './store-access';

// Each command's module is loaded when it runs, so `braid --help` loads neither the engine, got, nor SQLite,
// and `braid list` loads SQLite alone.

/** `list` shows this many rows unless -n says otherwise: a queue may hold millions. */
const LIST_DEFAULT_LIMIT = 1000;

function wholeNumber({ min, max }: WholeRange) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`);
    }
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
  if (PROTOCOL_HEADERS.has(name.toLowerCase())) throw new InvalidArgumentError(`Braid sets ${name} itself (it decides which bytes each connection asks for and how they travel)`);
  return { ...previous, [name]: value };
}

function proxy(text: string): string {
  const problem = proxyProblem(text);
  if (problem) throw new InvalidArgumentError(problem);
  return text;
}

/** `none` asks for no check: it drops a checksum an earlier run of the same download was given. */
function checksum(text: string) {
  if (text === 'none') return null;
  try {
    return parseChecksum(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** `-o` names the file; the folder is `-d`'s (a name with a path in it would be cut to its last part). */
function fileName(text: string): string {
  if (text.trim() === '' || text === '.' || text === '..') throw new InvalidArgumentError('it is not a file name');
  if (/[/\\]/.test(text)) throw new InvalidArgumentError('a file name without a folder: give the folder with -d');
  return text;
}

/** A list given to -i that the system will not let Braid read, said with the system's reason. */
function cannotRead(error: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
}

function listFile(text: string): string {
  if (text === '-') return text;
  let stats;
  try {
    stats = statSync(text);
  } catch (error) {
    throw cannotRead(error);
  }
  if (stats.isDirectory()) throw new InvalidArgumentError('it is a folder, not a list of URLs');
  // A pipe (`-i <(command)`) is read once, as it comes: looking into it here would take its first lines.
  if (!stats.isFile()) return text;
  // Opened once here so a list the user may not read is refused now, in one line, not halfway through reading it;
  // and its start read, so a file that is no text (an archive, a list saved as UTF-16) is not a line of errors each.
  const start = Buffer.alloc(4096);
  let fd: number;
  try {
    fd = openSync(text, 'r');
  } catch (error) {
    throw cannotRead(error);
  }
  try {
    const read = readSync(fd, start, 0, start.length, 0);
    if (start.subarray(0, read).includes(0)) throw new InvalidArgumentError('it is not a text list of URLs (a binary file, or text saved as UTF-16: save it as UTF-8)');
  } finally {
    closeSync(fd);
  }
  return text;
}

/** A folder to save into: one that does not exist yet is made; a file of that name is a mistake said at once. */
function folderArg(text: string): string {
  let stats;
  try {
    stats = statSync(text);
  } catch {
    return text;
  }
  if (!stats.isDirectory()) throw new InvalidArgumentError('it is a file, not a folder');
  return text;
}

function say(line: string): void {
  process.stderr.write(`braid: ${line}\n`);
}

/** Options of curl, wget and aria2c that people type out of habit, and what Braid does instead. */
const HABITS: Record<string, string> = {
  '-c': 'Braid always resumes: run the same command again',
  '--continue': 'Braid always resumes: run the same command again',
  '-C': 'Braid always resumes: run the same command again',
  '-O': '-o NAME names the file; without it Braid uses the name the server gives',
  '--output-document': '-o NAME names the file',
  '-P': '-d DIR is the folder to save into',
  '--directory-prefix': '-d DIR is the folder to save into',
  '-x': '--max-connection-per-server N caps the connections to one server; --all-proxy URL sets a proxy',
  '-L': 'Braid follows redirects without being asked',
  '--location': 'Braid follows redirects without being asked',
  '--limit-rate': '--limit RATE (e.g. 2M) caps the speed',
  '--max-overall-download-limit': '--limit RATE (e.g. 2M) caps the speed',
  '--split': '-s N is the number of connections per download',
  '--proxy': '--all-proxy URL sets a proxy',
  '-H': '--header "Name: value" adds a request header',
};

/**
 * Commander's mistakes said as Braid's own (`braid: …`, not `error: …`), with what Braid does instead of an option
 * another downloader has.
 */
function sayCommanderError(text: string, write: (text: string) => void): void {
  const unknown = /^error: unknown option '([^'=]+)/.exec(text)?.[1];
  const habit = unknown ? HABITS[unknown] : undefined;
  write(text.replace(/^error: /, 'braid: ').replace(/ is invalid\. /, ' is invalid: ') + (habit ? `(${habit})\n` : ''));
}

/** A mistake in a command's options points to that command's own help: `braid get --help`, not the whole list. */
function pointEachCommandToItsHelp(parent: Command, path: string): void {
  for (const command of parent.commands) {
    const name = `${path} ${command.name()}`;
    command.showHelpAfterError(`(${name} --help shows the options)`);
    pointEachCommandToItsHelp(command, name);
  }
}

export function buildProgram(): Command {
  const program = new Command()
    .name('braid')
    .description('Segmented, resumable downloads that keep their memory bounded.')
    .version('0.1.0')
    // A mistake gets its one line and a pointer, not the whole help, and exit code 2 (see main()).
    .showHelpAfterError('(braid --help shows the commands)')
    .configureOutput({ outputError: sayCommanderError })
    .exitOverride();
  const dbOption = () => new Option('--db <file>', `state database (default: ${defaultDatabasePath()})`);

  program
    .command('get')
    .description('download now; exits 0 when every download finished')
    .argument('[url...]', 'http(s) URLs')
    .option('-i, --input <file>', 'read URLs from a list (plain, or aria2 input-file format; - reads standard input)', listFile)
    .option('-d, --dir <dir>', 'folder to save into', folderArg, '.')
    .option('-o, --output <name>', 'file name (for a single URL)', fileName)
    .option('-s, --segments <n>', `parallel connections per download (default ${DEFAULT_CONNECTIONS})`, wholeNumber(CONNECTIONS))
    .option('-j, --concurrent <n>', `downloads at once (default ${DEFAULT_CONCURRENT})`, wholeNumber(CONCURRENT_DOWNLOADS))
    .option('--limit <rate>', 'overall speed limit, e.g. 2M (bytes per second)', rate)
    .option('--max-connection-per-server <n>', 'connections to one server at most (default: the setting, 16)', wholeNumber(CONNECTIONS_PER_SERVER))
    .option('--max-connections <n>', 'connections at once over all downloads (default: the setting, 128)', wholeNumber(TOTAL_CONNECTIONS))
    .option('--all-proxy <url>', "proxy for these downloads: http://, https:// or socks5://[user:pass@]host:port ('' for none)", proxy)
    .option('--retries <n>', `attempts in a row without progress before a download fails (default ${DEFAULT_RETRY_ATTEMPTS})`, wholeNumber({ min: 1, max: 100 }))
    .option('--checksum <algo=hex>', 'verify the file: md5, sha-1, sha-256 or sha-512 (none: drop one given before)', checksum)
    .addOption(new Option('--header <header>', 'extra request header "Name: value" (repeatable)').argParser(header).default({}, 'none'))
    .option('--json', 'one JSON line per finished download, then a summary line with the memory used')
    .option('-q, --quiet', 'print nothing but problems (on stderr): no progress, no lines, no summary')
    .addOption(dbOption())
    .action(async (urls: string[], flags: GetFlags) => {
      if (flags.output && urls.length + (flags.input ? 2 : 0) > 1) {
        say('-o names one file: give a single URL');
        process.exitCode = 2;
        return;
      }
      process.exitCode = await (await import('./commands/get')).runGet(urls, flags);
    });

  program
    .command('add')
    .description('queue downloads without starting them (the app and `braid serve` run the queue)')
    .argument('[url...]', 'http(s) URLs')
    .option('-i, --input <file>', 'read URLs from a list (plain, or aria2 input-file format; - reads standard input)', listFile)
    .option('-d, --dir <dir>', 'folder to save into (default: the settings folder)', folderArg)
    .option('-s, --segments <n>', 'parallel connections per download', wholeNumber(CONNECTIONS))
    .option('--max-connection-per-server <n>', 'connections to one server at most', wholeNumber(CONNECTIONS_PER_SERVER))
    .option('--all-proxy <url>', "proxy for these downloads: http://, https:// or socks5://[user:pass@]host:port ('' for none)", proxy)
    .option('--paused', 'add them paused')
    .addOption(dbOption())
    .action(async (urls: string[], flags: AddFlags) => {
      process.exitCode = await (await import('./commands/add')).runAdd(urls, flags);
    });

  program
    .command('refresh')
    .description('give a download that is not running a new link (its old one expired) and finish it')
    .argument('<id>', 'the download (see `braid list`)', wholeNumber({ min: 1, max: Number.MAX_SAFE_INTEGER }))
    .argument('<url>', 'the new http(s) URL')
    .option('--start-over', 'download the new link from the start, when it serves a different file')
    .option('--json', 'machine-readable output')
    .addOption(dbOption())
    .action(async (id: number, url: string, flags: RefreshFlags) => {
      process.exitCode = await (await import('./commands/refresh')).runRefresh(id, url, flags);
    });

  program
    .command('list')
    .description('show the downloads the database holds')
    .addOption(new Option('--status <status...>', 'only these').choices(['queued', 'active', 'paused', 'completed', 'failed']))
    .option('-n, --limit <n>', `at most this many (default ${LIST_DEFAULT_LIMIT})`, wholeNumber({ min: 1, max: Number.MAX_SAFE_INTEGER }))
    .option('--json', 'machine-readable output')
    .addOption(dbOption())
    .action(async (flags: CommonFlags & { status?: string[]; limit?: number; json?: boolean }) => {
      process.exitCode = (await import('./commands/list')).runList(flags);
    });

  program
    .command('serve')
    .description('run the queue behind the Braid UI in a browser (HTTP + WebSocket, loopback by default)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', wholeNumber({ min: 0, max: 65535 }), 7373)
    .option('--secret <secret>', 'secret the browser must present (default: generated and printed)')
    .option('-d, --dir <dir>', 'folder for new downloads in this run (default: the settings folder)', folderArg)
    .addOption(dbOption())
    .action(async (flags: Omit<ServeFlags, 'staticDir'>) => {
      // The bundled command is out/cli/braid.js; the built renderer is beside it in out/renderer/.
      const staticDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
      process.exitCode = await (await import('./commands/serve')).runServe({ ...flags, staticDir });
    });

  const browserHost = program
    .command('browser-host')
    .description("the bridge from Braid's browser extension (native messaging on stdin and stdout; the browser starts it)")
    .argument('[caller...]', 'what the browser passes: the extension origin or the manifest path')
    .option('--downloads <dir>', 'folder for downloads from the browser (default: the settings folder)')
    .option('--app <path>', 'the Braid app to start when no engine is running (default: queue for the next start)')
    .addOption(dbOption())
    // Browsers add arguments of their own (Chrome on Windows: --parent-window=N).
    .allowUnknownOption()
    .action(async (_caller: string[], flags: HostFlags) => {
      process.exitCode = await (await import('./commands/browser-host')).runBrowserHost(flags);
    });
  const browserOption = () =>
    new Option('--browser <browser>', 'the browser to register with').choices(BROWSERS).makeOptionMandatory();
  browserHost
    .command('install')
    .description("register the host with a browser, for Braid's extension only")
    .addOption(browserOption())
    .option('--dir <dir>', "folder for the host manifest (default: the browser's own for this user)")
    .option('--downloads <dir>', 'folder for downloads from the browser (default: the settings folder)')
    .option('--app <path>', 'the Braid app the host starts when no engine is running')
    .addOption(dbOption())
    .action(async (flags: InstallFlags) => {
      // `--db`, `--downloads` and `--app` are also `browser-host`'s own options: commander may have given them to it.
      process.exitCode = (await import('./commands/browser-host')).runInstall({ ...browserHost.opts<HostFlags>(), ...flags });
    });
  browserHost
    .command('uninstall')
    .description('remove the host from a browser')
    .addOption(browserOption())
    .option('--dir <dir>', 'the folder given to install')
    .action(async (flags: InstallFlags) => {
      process.exitCode = (await import('./commands/browser-host')).runUninstall(flags);
    });

  pointEachCommandToItsHelp(program, 'braid');
  return program;
}

/**
 * A reader that stops reading (`braid list | head -3`) ends the command as a closed terminal would, not with a
 * stack trace: a running `get` or `serve` stops as on Ctrl-C, saving its progress; any other command exits.
 */
function endWhenOutputCloses(): void {
  let closed = false;
  const onError = (stream: NodeJS.WriteStream) => (error: NodeJS.ErrnoException) => {
    // Once closed, later writes fail too (the stream is destroyed): the stop is under way already.
    if (closed) return;
    // EIO on a terminal: the terminal itself is gone (closed with the command still in it). On a file it is a
    // disk's error, and said as one.
    const gone = error.code === 'EPIPE' || (error.code === 'EIO' && stream.isTTY);
    if (!gone) throw error;
    closed = true;
    const stop = STOP_SIGNALS.find((signal) => process.listenerCount(signal) > 0);
    if (stop) process.emit(stop, stop);
    else process.exit();
  };
  process.stdout.on('error', onError(process.stdout));
  process.stderr.on('error', onError(process.stderr));
}

async function main(): Promise<void> {
  endWhenOutputCloses();
  // File writes and syncs of every download share libuv's thread pool; its default of 4 threads queues
  // writes behind syncs when several downloads run. Read when the pool first starts, so set it first.
  process.env['UV_THREADPOOL_SIZE'] ??= '8';
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here too; anything else is bad input, already explained by commander.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    // Loaded only on this path: a command that failed has loaded them already, and --help never gets here.
    const { BraidError } = await import('../engine/index');
    const problem = error instanceof BraidError ? error.message : (await import('../store/database')).describeStoreFailure(error);
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
