import { join, resolve } from 'node:path';
import type { Checksum, DownloadOptions, DownloadRecord } from '../../shared/types';
import type { DownloadRepository, FileSystemPort } from './ports';
import { checkUrl } from './url-rules';

/**
 * What a command given again finds of its earlier run, for the same URL into the same folder (and name): a download
 * still unfinished, to go on with rather than start a copy beside it; or one that finished and whose file is still
 * there as it ended, to report rather than fetch a second time.
 */
export type EarlierRun = { status: 'unfinished'; record: DownloadRecord } | { status: 'finished'; record: DownloadRecord; path: string };

function sameChecksum(a: Checksum, b: Checksum | undefined): boolean {
  return b !== undefined && a.algorithm === b.algorithm && a.hex.toLowerCase() === b.hex.toLowerCase();
}

/** Throws a BraidError for an invalid URL, as adding it would. */
export async function findEarlierRun(
  repo: DownloadRepository,
  fs: FileSystemPort,
  request: { url: string; folder: string; name: string | null; options: DownloadOptions },
): Promise<EarlierRun | null> {
  const url = checkUrl(request.url);
  const folder = resolve(request.folder);
  const unfinished = repo.findUnfinished(url, folder, request.name);
  if (unfinished) return { status: 'unfinished', record: unfinished };
  const finished = repo.findCompleted(url, folder, request.name);
  if (!finished?.name) return null;
  // A checksum asked for now that the finished file was not checked against: it is not known to be the file wanted.
  if (request.options.checksum && !sameChecksum(request.options.checksum, finished.options.checksum)) return null;
  const path = join(folder, finished.name);
  // Moved, deleted, or changed in size since: the earlier run's file is not there to stand for this one.
  const size = await fs.fileSize(path);
  return size !== null && size === (finished.size ?? finished.bytesDone) ? { status: 'finished', record: finished, path } : null;
}

/**
 * The options an unfinished download runs with when a command asks for it again: what the command gives now (a
 * checksum or proxy mistyped in an earlier run is not kept), over what it leaves out (a `-s` given to `add` stays).
 */
export function optionsGivenAgain(record: DownloadRecord, given: DownloadOptions): DownloadOptions | null {
  const options = { ...record.options, ...given };
  return JSON.stringify(record.options) === JSON.stringify(options) ? null : options;
}
