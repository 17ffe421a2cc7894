import { join, resolve } from 'node:path';
import type { Checksum, DownloadOptions, DownloadRecord, Settings } from '../../shared/types';
import { folderOf } from './add-request';
import type { DownloadRepository, FileSystemPort } from './ports';
import { checkUrl } from './url-rules';

/**
 * What a command given again finds of its earlier run, for the same URL into the same folder (and name): a download
 * still unfinished, to go on with rather than start a copy beside it; or one that finished and whose file is still
 * there as it ended, to report rather than fetch a second time.
 */
export type EarlierRun = (
  | { status: 'unfinished' }
  | { status: 'finished'; path: string }
  /** The finished file is there, but its checksum is not the one the command asks for (`actual`). */
  | { status: 'differs'; path: string; actual: string }
  /** The finished file is there, but could not be read to check it against the checksum the command asks for. */
  | { status: 'unreadable'; path: string; reason: string }
  /** The finished file is there, but at another size than it was finished at (`size`): cut, or written over since. */
  | { status: 'resized'; path: string; size: number }
) & {
  record: DownloadRecord;
  /** The command gives options the download was not given (a checksum, headers, a proxy). */
  otherOptions: boolean;
};

function sameChecksum(a: Checksum, b: Checksum | undefined): boolean {
  return b !== undefined && a.algorithm === b.algorithm && a.hex.toLowerCase() === b.hex.toLowerCase();
}

/**
 * The unfinished download (queued, paused, running or failed) already in the queue for this URL, folder and name,
 * however the URL was written; null when there is none. Throws a BraidError for an invalid URL, as adding it would.
 */
export function findQueued(
  repo: DownloadRepository,
  request: { url: string; folder: string | null; name: string | null },
  folders: Pick<Settings, 'folder' | 'categoryFolders'>,
): DownloadRecord | null {
  const url = checkUrl(request.url);
  // Without a folder of its own, where adding it would put it: its file type's folder, or the default.
  return repo.findUnfinished(url, folderOf(request, url, folders), request.name);
}

/**
 * Throws a BraidError for an invalid URL, as adding it would. `onCheck` is told before a finished file is read to
 * check it against a checksum (a large one takes a while).
 */
export async function findEarlierRun(
  repo: DownloadRepository,
  fs: FileSystemPort,
  request: { url: string; folder: string; name: string | null; options: DownloadOptions },
  onCheck?: (path: string, size: number) => void,
): Promise<EarlierRun | null> {
  const url = checkUrl(request.url);
  const folder = resolve(request.folder);
  const otherOptions = (record: DownloadRecord) => optionsGivenAgain(record, request.options) !== null;
  const unfinished = repo.findUnfinished(url, folder, request.name);
  const finished = repo.findCompleted(url, folder, request.name);
  const goOn: EarlierRun | null = unfinished ? { status: 'unfinished', record: unfinished, otherOptions: otherOptions(unfinished) } : null;
  if (!finished?.name) return goOn;
  const wanted = request.options.checksum;
  // The newer of the two stands for the command (a URL added twice and left queued is not taken for the file
  // fetched since), unless a checksum is given: a finished file that matches it is the file wanted, whatever was
  // tried after it (a copy fetched with a mistyped checksum, say).
  if (unfinished && unfinished.id > finished.id && !wanted) return goOn;
  // A file moved, deleted or changed in size since is not the one the earlier run finished.
  const path = join(folder, finished.name);
  const size = await fs.fileSize(path);
  if (size === null) return goOn;
  if (size !== (finished.size ?? finished.bytesDone)) return goOn ?? { status: 'resized', record: finished, path, size, otherOptions: true };
  if (wanted && !sameChecksum(wanted, finished.options.checksum)) {
    // A checksum the file was not checked against: it is read once to tell, which costs less than fetching it.
    onCheck?.(path, size);
    let actual: string;
    try {
      actual = await fs.hash(path, wanted.algorithm, new AbortController().signal);
    } catch (error) {
      return goOn ?? { status: 'unreadable', record: finished, path, reason: error instanceof Error ? error.message : String(error), otherOptions: true };
    }
    if (actual !== wanted.hex.toLowerCase()) return goOn ?? { status: 'differs', record: finished, path, actual, otherOptions: true };
    try {
      repo.update(finished.id, { options: { ...finished.options, checksum: wanted } });
    } catch {
      // Only spares the next run reading the file again.
    }
  }
  return { status: 'finished', record: finished, path, otherOptions: otherOptions(finished) };
}

/**
 * The options an unfinished download runs with when a command asks for it again: what the command gives now (a
 * checksum or proxy mistyped in an earlier run is not kept), over what it leaves out (a `-s` given to `add` stays).
 */
export function optionsGivenAgain(record: DownloadRecord, given: DownloadOptions): DownloadOptions | null {
  const options = { ...record.options, ...given };
  return JSON.stringify(record.options) === JSON.stringify(options) ? null : options;
}
