import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatBytes, formatDuration, formatRate } from '../../../shared/format';
import { maskUrlPassword } from '../../../shared/header-mask';
import type { Checksum, DownloadError, DownloadOptions, DownloadRecord } from '../../../shared/types';
import { bytesContinuable, createEngine, DEFAULT_TIMING, proxyFromEnvironment, sanitizeFilename, type Engine } from '../../engine/index';
import { linesView, type ProgressView } from '../progress';
import type { SqliteDownloadRepository } from '../../store/download-repository';
import { openStoreToRun, say, storeRefusalError, type CommonFlags } from '../store-access';
import { onStopSignals } from '../stop-signals';
import { listName, queueAll, type OnRefused } from './queue-all';

export interface GetFlags extends CommonFlags {
  output?: string;
  segments?: number;
  maxConnectionPerServer?: number;
  maxConnections?: number;
  allProxy?: string;
  concurrent?: number;
  limit?: number;
  retries?: number;
  /** null: `--checksum none`, no check even where an earlier run gave one. */
  checksum?: Checksum | null;
  header: Record<string, string>;
  json?: boolean;
  /** No progress, no line per download, no summary: only problems, on stderr (as wget -q, curl -s). */
  quiet?: boolean;
}

/** What `get` measured of itself: bytes, time and the process's memory against what the engine accounted. */
export interface GetSummary {
  files: number;
  completed: number;
  /** Downloads an earlier run finished, whose files are still there: not fetched again. */
  already: number;
  failed: number;
  /** Downloads left unfinished by an interrupt. */
  stopped: number;
  /** Their bytes on disk that the same command goes on from. */
  saved: number;
  /** Of the stopped ones, those with bytes the server cannot continue (no ranges, no size): the same command starts them over. */
  startsOver: number;
  bytes: number;
  seconds: number;
  bytesPerSecond: number;
  memory: { baseRss: number; peakRss: number; peakInFlight: number };
}

/**
 * The kernel's own high-water mark of this program's resident memory, in bytes. On Linux it is read from VmHWM:
 * getrusage's figure also counts the memory of whatever process started Braid, as it stood when it forked (a
 * browser starting the native host, a test runner), since the kernel keeps that high-water mark across exec.
 */
function kernelPeakRss(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // Not Linux: getrusage is what there is.
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * A finished download's JSON line. `failure` is a failure the store could not record (its disk full): the record
 * still says how the download stood before it, but this run failed it.
 */
function resultLine(r: DownloadRecord, failure?: DownloadError): Record<string, unknown> {
  const status = failure && r.status !== 'failed' ? 'failed' : r.status;
  const line: Record<string, unknown> = { id: r.id, url: maskUrlPassword(r.url), status };
  // Only a completed download's file is there under its name.
  if (r.name && status === 'completed') line['path'] = join(r.folder, r.name);
  if (status === 'completed') line['bytes'] = r.size ?? r.bytesDone;
  const error = status === r.status ? r.error : failure;
  if (error) line['error'] = error;
  return line;
}

function writeResultLine(r: DownloadRecord, failure?: DownloadError): void {
  process.stdout.write(`${JSON.stringify(resultLine(r, failure))}\n`);
}

/** `-o NAME` (or `out=`) that was taken in the folder: Braid never writes over a file, so it took the next free name. */
function sayIfRenamed(r: DownloadRecord | null): void {
  if (r?.requestedName && r.name && r.name !== sanitizeFilename(r.requestedName)) say(`${r.requestedName} was taken in ${r.folder}: saved as ${r.name}`);
}

/**
 * Where a failed download's bytes are, when some arrived and are worth keeping: the `.part` holds them (and its
 * room on the disk), and the same command goes on from them. A wrong checksum and an expired link say their own.
 */
function keptNote(r: DownloadRecord, error: DownloadError | undefined): string {
  if (r.bytesDone <= 0 || !r.name || error?.code === 'CHECKSUM_ERROR' || error?.code === 'LINK_EXPIRED') return '';
  // A download that had to start over says why in its own message.
  if (error?.code === 'CANNOT_RESUME') return '; the same command downloads it from the start';
  if (!bytesContinuable(r)) return '; the server cannot resume it, so the same command downloads it from the start';
  const part = join(r.folder, `${r.name}.part`);
  if (!existsSync(part)) return '';
  return `; the ${formatBytes(r.bytesDone)} received stay in ${part}, and the same command goes on from them`;
}

/** How long the run took: tenths of a second under a minute, where whole seconds would make most runs "0s" or "1s". */
function elapsed(seconds: number): string {
  // A small file takes milliseconds, which tenths of a second would call "0.0s".
  if (seconds < 0.1) return `${Math.max(1, Math.round(seconds * 1000))} ms`;
  return seconds < 60 ? `${seconds.toFixed(1)}s` : formatDuration(seconds);
}

/** What the same command will do with the stopped downloads: go on from what is saved, or start over. */
function stoppedText(s: GetSummary): string {
  const resumes = s.stopped - s.startsOver;
  const over = s.startsOver === 0 ? '' : `${s.startsOver === s.stopped ? '' : `, ${s.startsOver} of them`} on a server that cannot resume (the same command starts ${s.startsOver === 1 ? 'it' : 'them'} over)`;
  return resumes > 0 ? ` with ${formatBytes(s.saved)} saved (the same command resumes)${over}` : over;
}

function humanSummary(s: GetSummary): string {
  const files = `${s.completed} of ${s.files} file${s.files === 1 ? '' : 's'}`;
  const already = s.already > 0 ? `, ${s.already} already there` : '';
  const failed = s.failed > 0 ? `, ${s.failed} failed` : '';
  const stopped = s.stopped > 0 ? `, ${s.stopped} stopped${stoppedText(s)}` : '';
  return (
    `downloaded ${files}${already}${failed}${stopped}: ${formatBytes(s.bytes)} in ${elapsed(s.seconds)} (${formatRate(s.bytesPerSecond)}); ` +
    `peak memory ${formatBytes(s.memory.peakRss)} (${formatBytes(s.memory.peakRss - s.memory.baseRss)} above the ${formatBytes(s.memory.baseRss)} at start, ` +
    `${formatBytes(s.memory.peakInFlight)} of it transfer buffers)\n`
  );
}

export async function runGet(urls: string[], flags: GetFlags): Promise<number> {
  if (urls.length === 0 && !flags.input) {
    say('nothing to download: give URLs or -i FILE');
    return 2;
  }
  const { db, repo, lock } = openStoreToRun(flags);
  try {
    return await downloadAll(repo, urls, flags);
  } finally {
    // Whatever happened, the database is closed and the next Braid may run.
    db.close();
    lock.release();
  }
}

function downloadOptions(flags: GetFlags): DownloadOptions {
  const options: DownloadOptions = {};
  if (flags.segments) options.segments = flags.segments;
  if (flags.maxConnectionPerServer) options.maxPerServer = flags.maxConnectionPerServer;
  if (flags.allProxy !== undefined) options.proxy = flags.allProxy;
  // An own property left undefined takes the place of a stored checksum when the options are merged.
  if (flags.checksum !== undefined) options.checksum = flags.checksum ?? undefined;
  if (Object.keys(flags.header).length > 0) options.headers = flags.header;
  return options;
}

async function showProgress(engine: Engine, repo: SqliteDownloadRepository, flags: GetFlags): Promise<ProgressView | null> {
  const view: ProgressView | null = flags.json || flags.quiet ? null : process.stdout.isTTY ? (await import('../progress-bars')).barsView(process.stdout) : linesView(process.stdout, process.stderr);
  if (view) engine.onEvent((event) => view.onEvent(event));
  if (flags.json) {
    engine.onEvent((event) => {
      if (event.type !== 'completed' && event.type !== 'failed') return;
      const r = repo.get(event.id);
      if (r) writeResultLine(r, event.type === 'failed' ? event.error : undefined);
    });
  }
  return view;
}

/** How a run went, before its downloads are counted. */
interface RunEnd {
  seconds: number;
  baseRss: number;
  interrupted: boolean;
}

/** Runs the downloads until each has ended or an interrupt stopped them all, resumable; `refresh` runs its one so. */
export async function runToEnd(engine: Engine, ids: number[], view: ProgressView | null): Promise<RunEnd> {
  let interrupted = false;
  // A closed terminal (SIGHUP) stops the run as Ctrl-C does: progress saved, the download resumable.
  const stopListening = onStopSignals(() => {
    interrupted = true;
    // The bars end first, so that what is said is on a line of its own, not at the end of a bar's.
    view?.stop();
    // The summary says what the same command will do with each download: resume it, or start over.
    say('stopping: saving progress');
    void engine.close();
  });
  try {
    const baseRss = process.memoryUsage.rss();
    const startedAt = performance.now();
    engine.start({ only: ids });
    await engine.whenSettled(ids);
    await engine.close();
    return { seconds: (performance.now() - startedAt) / 1000, baseRss, interrupted };
  } finally {
    stopListening();
  }
}

/**
 * Counts the run's downloads by how they ended, and says why each failed one did. With `--json`, a download that
 * could not start gets its line here when no event ended it.
 */
function summarise(
  engine: Engine,
  repo: SqliteDownloadRepository,
  queued: { ids: number[]; refused: number; already: number },
  run: RunEnd,
  failures: ReadonlyMap<number, DownloadError>,
  json: boolean,
): GetSummary {
  const { ids, refused, already } = queued;
  let failed = refused;
  let completed = 0;
  let stopped = 0;
  let saved = 0;
  let startsOver = 0;
  // Downloads that could not even start fail for one reason, mostly: said once, with how many it stopped.
  const notStarted = new Map<string, number>();
  for (const id of ids) {
    const r = repo.get(id);
    if (!r) continue;
    const startFailure = engine.startFailure(id);
    if (startFailure !== undefined && r.status !== 'failed') {
      failed++;
      const error = storeRefusalError(startFailure);
      notStarted.set(error.message, (notStarted.get(error.message) ?? 0) + 1);
      // One that was marked active before it failed was announced, and has its line already.
      if (json && !failures.has(id)) writeResultLine(r, error);
    } else if (r.status === 'completed' && !failures.has(id)) {
      completed++;
    } else if (r.status === 'failed' || failures.has(id)) {
      // A failure the store could not record (its disk full) is still this run's failure, and so is a completion
      // it could not record in time: its line said failed.
      const error = r.error ?? failures.get(id);
      failed++;
      say(`failed: ${maskUrlPassword(r.url)}: ${error?.message ?? 'unknown error'} [${error?.code ?? '?'}]${keptNote(r, error)}`);
    } else {
      stopped++;
      const resumes = bytesContinuable(r) || r.bytesDone === 0;
      if (resumes) saved += r.bytesDone;
      else startsOver++;
      // Its own line, as a finished one has: what is on disk, and whether the same command goes on from it.
      if (json) process.stdout.write(`${JSON.stringify({ id: r.id, url: maskUrlPassword(r.url), status: 'stopped', saved: resumes ? r.bytesDone : 0, resumes })}\n`);
    }
  }
  for (const [why, count] of notStarted) say(`${count === 1 ? 'a download' : `${count} downloads`} could not start: ${why}`);
  // What this run transferred: a resumed download's bytes from before are not this run's.
  const { receivedBytes: bytes, peakInFlight } = engine.stats();
  return {
    files: ids.length + refused + already,
    completed,
    already,
    failed,
    stopped,
    saved,
    startsOver,
    bytes,
    // Milliseconds are what a run's time is measured to: no float noise past them.
    seconds: Math.round(run.seconds * 1000) / 1000,
    bytesPerSecond: run.seconds > 0 ? bytes / run.seconds : 0,
    memory: { baseRss: run.baseRss, peakRss: kernelPeakRss(), peakInFlight },
  };
}

async function downloadAll(repo: SqliteDownloadRepository, urls: string[], flags: GetFlags): Promise<number> {
  const engine = createEngine({
    repo,
    overrides: {
      ...(flags.concurrent ? { maxConcurrent: flags.concurrent } : {}),
      ...(flags.segments ? { segments: flags.segments } : {}),
      ...(flags.limit !== undefined ? { globalSpeedLimit: flags.limit } : {}),
      ...(flags.maxConnections ? { maxConnections: flags.maxConnections } : {}),
    },
    systemProxy: proxyFromEnvironment(),
    ...(flags.retries !== undefined ? { timing: { retry: { ...DEFAULT_TIMING.retry, maxAttempts: flags.retries } } } : {}),
  });
  try {
    const target = { folder: resolve(flags.dir ?? '.'), name: flags.output, options: downloadOptions(flags) };
    // With --json an entry refused before it was a download still gets its line, named by what was given.
    const refusedLine: OnRefused = (given, error) => process.stdout.write(`${JSON.stringify({ entry: given, status: 'failed', error })}\n`);
    const { ids, refused, badInput, finished } = await queueAll(engine, urls, flags, target, { again: true, keepIds: true, quiet: flags.quiet === true, ...(flags.json ? { onRefused: refusedLine } : {}) });
    if (ids.length + refused + finished.length === 0) {
      // Only blank and comment lines: as much a mistake as no URL at all, not a run that did its work.
      say(`nothing to download: ${listName(flags.input)} has no URLs`);
      return 2;
    }
    // Every entry a mistake (not a URL, a wrong option): bad input, each said on its line, and no run to sum up;
    // with --json the last line is a summary all the same, as a reader of the lines counts on.
    if (ids.length + finished.length === 0 && badInput === refused) {
      if (flags.json) {
        const none: RunEnd = { seconds: 0, baseRss: process.memoryUsage.rss(), interrupted: false };
        process.stdout.write(`${JSON.stringify({ summary: summarise(engine, repo, { ids: [], refused, already: 0 }, none, new Map(), true) })}\n`);
      }
      return 2;
    }
    for (const { record, path } of finished) {
      if (flags.json) process.stdout.write(`${JSON.stringify({ ...resultLine(record), already: true })}\n`);
      else if (!flags.quiet) process.stdout.write(`already downloaded #${record.id} ${path} (move or delete it to download it again)\n`);
    }
    const view = await showProgress(engine, repo, flags);
    const failures = new Map<number, DownloadError>();
    engine.onEvent((event) => {
      if (event.type === 'failed') failures.set(event.id, event.error);
      if (event.type === 'completed' && !flags.quiet) sayIfRenamed(repo.get(event.id));
    });
    const run = await runToEnd(engine, ids, view);
    view?.stop();
    const summary = summarise(engine, repo, { ids, refused, already: finished.length }, run, failures, flags.json === true);
    if (flags.json) process.stdout.write(`${JSON.stringify({ summary })}\n`);
    else if (!flags.quiet) process.stdout.write(humanSummary(summary));
    if (run.interrupted) return 130;
    return summary.failed > 0 ? 1 : 0;
  } finally {
    // A run that throws part-way still stops its downloads where they are, resumable, and lets the process end.
    await engine.close();
  }
}
