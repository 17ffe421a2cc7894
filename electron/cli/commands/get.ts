import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatBytes, formatDuration, formatRate } from '../../../shared/format';
import type { Checksum, DownloadOptions, DownloadRecord } from '../../../shared/types';
import { createEngine, DEFAULT_TIMING, proxyFromEnvironment } from '../../engine/index';
import { linesView, type ProgressView } from '../progress';
import { openStoreToRun, say, type CommonFlags } from '../store-access';
import { listName, queueAll } from './queue-all';

export interface GetFlags extends CommonFlags {
  output?: string;
  segments?: number;
  maxConnectionPerServer?: number;
  maxConnections?: number;
  allProxy?: string;
  concurrent?: number;
  limit?: number;
  retries?: number;
  checksum?: Checksum;
  header: Record<string, string>;
  json?: boolean;
}

/** What `get` measured of itself: bytes, time and the process's memory against what the engine accounted. */
export interface GetSummary {
  files: number;
  completed: number;
  failed: number;
  /** Downloads left unfinished by an interrupt, and their bytes on disk: the same command resumes them. */
  stopped: number;
  saved: number;
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

function resultLine(r: DownloadRecord): Record<string, unknown> {
  const line: Record<string, unknown> = { id: r.id, url: r.url, status: r.status };
  // Only a completed download's file is there under its name.
  if (r.name && r.status === 'completed') line['path'] = join(r.folder, r.name);
  if (r.status === 'completed') line['bytes'] = r.size ?? r.bytesDone;
  if (r.error) line['error'] = r.error;
  return line;
}

/** How long the run took: tenths of a second under a minute, where whole seconds would make most runs "0s" or "1s". */
function elapsed(seconds: number): string {
  // A small file takes milliseconds, which tenths of a second would call "0.0s".
  if (seconds < 0.1) return `${Math.max(1, Math.round(seconds * 1000))} ms`;
  return seconds < 60 ? `${seconds.toFixed(1)}s` : formatDuration(seconds);
}

function humanSummary(s: GetSummary): string {
  const files = `${s.completed} of ${s.files} file${s.files === 1 ? '' : 's'}`;
  const failed = s.failed > 0 ? `, ${s.failed} failed` : '';
  const stopped = s.stopped > 0 ? `, ${s.stopped} stopped with ${formatBytes(s.saved)} saved (the same command resumes)` : '';
  return (
    `downloaded ${files}${failed}${stopped}: ${formatBytes(s.bytes)} in ${elapsed(s.seconds)} (${formatRate(s.bytesPerSecond)}); ` +
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
  const options: DownloadOptions = {};
  if (flags.segments) options.segments = flags.segments;
  if (flags.maxConnectionPerServer) options.maxPerServer = flags.maxConnectionPerServer;
  if (flags.allProxy !== undefined) options.proxy = flags.allProxy;
  if (flags.checksum) options.checksum = flags.checksum;
  if (Object.keys(flags.header).length > 0) options.headers = flags.header;
  const folder = resolve(flags.dir ?? '.');
  const { ids, refused } = await queueAll(engine, urls, flags, { folder, name: flags.output, options }, true, true);
  if (ids.length + refused === 0) {
    // Only blank and comment lines: as much a mistake as no URL at all, not a run that did its work.
    say(`nothing to download: ${listName(flags.input)} has no URLs`);
    await engine.close();
    db.close();
    lock.release();
    return 2;
  }

  const view: ProgressView | null = flags.json ? null : process.stdout.isTTY ? (await import('../progress-bars')).barsView(process.stdout) : linesView(process.stdout);
  if (view) engine.onEvent((event) => view.onEvent(event));
  if (flags.json) {
    engine.onEvent((event) => {
      if (event.type !== 'completed' && event.type !== 'failed') return;
      const r = repo.get(event.id);
      if (r) process.stdout.write(`${JSON.stringify(resultLine(r))}\n`);
    });
  }
  let interrupted = false;
  const interrupt = () => {
    if (interrupted) return;
    interrupted = true;
    say('stopping: saving progress (run the same command again to resume)');
    void engine.close();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const baseRss = process.memoryUsage.rss();
  const startedAt = performance.now();
  engine.start({ only: ids });
  await engine.whenSettled(ids);
  await engine.close();
  const seconds = (performance.now() - startedAt) / 1000;
  view?.stop();
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);

  let failed = refused;
  let completed = 0;
  // What this run transferred: a resumed download's bytes from before are not this run's.
  const bytes = engine.stats().receivedBytes;
  let stopped = 0;
  let saved = 0;
  for (const id of ids) {
    const r = repo.get(id);
    if (!r) continue;
    if (r.status === 'completed') {
      completed++;
    } else if (r.status === 'failed') {
      failed++;
      say(`failed: ${r.url}: ${r.error?.message ?? 'unknown error'} [${r.error?.code ?? '?'}]`);
    } else {
      stopped++;
      saved += r.bytesDone;
    }
  }
  const summary: GetSummary = {
    files: ids.length + refused,
    completed,
    failed,
    stopped,
    saved,
    bytes,
    seconds,
    bytesPerSecond: seconds > 0 ? bytes / seconds : 0,
    memory: { baseRss, peakRss: kernelPeakRss(), peakInFlight: engine.stats().peakInFlight },
  };
  process.stdout.write(flags.json ? `${JSON.stringify({ summary })}\n` : humanSummary(summary));
  db.close();
  lock.release();
  if (interrupted) return 130;
  return failed > 0 ? 1 : 0;
}
