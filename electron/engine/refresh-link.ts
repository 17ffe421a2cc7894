import { join } from 'node:path';
import type { DownloadRecord, RefreshResult } from '../../shared/types';
import { BraidError, errorCode } from './errors';
import type { HttpClient } from './http-client';
import { differentFile, proveSameFile } from './link-proof';
import type { Clock, DownloadPatch, DownloadRepository, FileSystemPort, PartFileHandle } from './ports';
import { probe } from './probe';
import type { ConnectionPool } from './receive/connection-pool';
import { sameOrigin, SourceList } from './source-list';
import { checkUrl } from './url-rules';

export interface RefreshDeps {
  repo: DownloadRepository;
  fs: FileSystemPort;
  clock: Clock;
  http: HttpClient;
  receivePool: ConnectionPool | null;
  firstByteTimeoutMs: number;
  /** The proxy for a request of a download with this proxy option of its own (see ProxyRouter). */
  proxyFor(url: string, own: string | undefined): Promise<string | null>;
}

/** How long proving a new link may take before it is given up. */
const PROOF_DEADLINE_MS = 120_000;

export interface RefreshOptions {
  /** Download the new link from the start instead of proving it the same file. */
  startOver?: boolean;
  /** The new link's own headers (a browser's cookies for its origin), replacing the download's. */
  headers?: Record<string, string>;
  /** How long the proof may take (a browser waiting for its answer cannot wait two minutes). */
  deadlineMs?: number;
}

/**
 * The download if it can be given a new link now: it exists and nothing runs it (paused, failed, or queued, as
 * a download an interrupted `braid get` left is).
 */
export function refreshable(record: DownloadRecord | null, id: number): DownloadRecord {
  if (!record) throw new BraidError('INVALID_OPTION', `there is no download #${id}`);
  if (record.status === 'active') throw new BraidError('INVALID_OPTION', `download #${id} is running: pause it, then give it the new link`);
  if (record.status === 'completed') throw new BraidError('INVALID_OPTION', `download #${id} is completed: there is nothing left to fetch`);
  return record;
}

/**
 * Gives a download that is not running a new URL. Unless told to start over, the new link must first prove it
 * serves the file whose bytes are on disk (see `proveSameFile`); a different file is refused with nothing
 * changed. Records the new URL as the download's own, so later expiries go back to it; the caller queues it.
 */
export async function refreshLink(deps: RefreshDeps, id: number, newUrl: string, options: RefreshOptions): Promise<RefreshResult> {
  const url = checkUrl(newUrl);
  const record = refreshable(deps.repo.get(id), id);
  const linkRefresh = { at: deps.clock.wallTime(), by: 'user' as const };
  const headerChange = options.headers ? headersGiven(record, options.headers) : headersMoved(record, url);
  // The download as it will be once the new link is recorded: its headers are asked for with that link.
  const sources = new SourceList({ url, mirrors: record.mirrors, sourceUrl: null, options: headerChange.options ?? record.options });
  if (options.startOver) {
    // Nothing of the bytes on disk is claimed any more (committed before the file is touched): the next run
    // takes the `.part` for a leftover of its own and starts fresh from the new link.
    commit(deps, id, record, { url, sourceUrl: null, finalUrl: null, bytesDone: 0, linkRefresh, ...headerChange }, true);
    return { id, proof: 'start-over', kept: 0 };
  }
  const signal = AbortSignal.timeout(options.deadlineMs ?? PROOF_DEADLINE_MS);
  const proxyFor = (to: string) => deps.proxyFor(to, record.options.proxy);
  const clients = { http: deps.http, receivePool: deps.receivePool, firstByteTimeoutMs: deps.firstByteTimeoutMs, proxyFor };
  const answer = await probe(clients, url, sources.headersFor(url), signal);
  const segments = deps.repo.segments(id);
  const source = { http: deps.http, url: answer.finalUrl, headers: sources.headersFor(answer.finalUrl), proxy: await proxyFor(answer.finalUrl) };
  const result = await proveSameFile(record, segments, answer, source, () => openPart(deps.fs, record), signal);
  if (!result.same) throw differentFile(id, result.reason);
  const kept = result.proof === 'nothing-on-disk' ? 0 : segments.reduce((n, s) => n + s.done, 0);
  // Past its deadline the caller has given up on the answer (the browser kept its own download): nothing changes.
  if (signal.aborted) throw new BraidError('TIMEOUT', `the new link of download #${id} took too long to check; nothing was changed`, { retryable: true });
  // The new link's validators are the ones requests will carry in If-Range from now on.
  commit(deps, id, record, { url, sourceUrl: null, finalUrl: answer.finalUrl, etag: answer.etag, lastModified: answer.lastModified, linkRefresh, ...headerChange });
  return { id, proof: result.proof, kept };
}

/**
 * The user's headers (a browser's cookies, an API key) were given for the old link's origin: a new link to
 * another origin goes without them, never carrying them to a server they were not meant for.
 */
function headersMoved(record: DownloadRecord, url: string): Pick<DownloadPatch, 'options'> {
  if (!record.options.headers || sameOrigin(url, record.url)) return {};
  const options = { ...record.options };
  delete options.headers;
  return { options };
}

/** Headers given with the new link: they replace the download's (none given: the download has none any more). */
function headersGiven(record: DownloadRecord, headers: Record<string, string>): Pick<DownloadPatch, 'options'> {
  const options = { ...record.options };
  if (Object.keys(headers).length > 0) options.headers = { ...headers };
  else delete options.headers;
  return { options };
}

/** Writes the new link, unless the download started (or was removed) while the link was being proven. */
function commit(deps: RefreshDeps, id: number, before: DownloadRecord, patch: DownloadPatch, dropPlan = false): void {
  const now = deps.repo.get(id);
  if (!now || now.status !== before.status) throw new BraidError('INVALID_OPTION', `download #${id} changed while its new link was checked; nothing was changed`);
  if (dropPlan) deps.repo.saveProgress(id, [], patch);
  else deps.repo.update(id, patch);
}

async function openPart(fs: FileSystemPort, record: DownloadRecord): Promise<PartFileHandle | null> {
  if (!record.name) return null;
  try {
    return await fs.openExisting(join(record.folder, `${record.name}.part`));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}
