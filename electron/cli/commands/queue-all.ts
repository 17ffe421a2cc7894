import { resolve } from 'node:path';
import { formatBytes } from '../../../shared/format';
import { maskUrlPassword } from '../../../shared/header-mask';
import type { AddRequest, DownloadError, DownloadRecord, ErrorCode } from '../../../shared/types';
import type { EarlierRun, Engine } from '../../engine/index';
import { collectRequests, type RequestDefaults } from '../requests';
import { say, storeRefusalError, type CommonFlags } from '../store-access';

const ADD_BATCH = 1000;
/** A finished file this large is said before it is read to check a checksum: it takes seconds a GiB. */
const CHECK_SAID_FROM = 256 * 1024 * 1024;

/** How a message names the list `-i` gave. */
export function listName(input: string | undefined): string {
  return input === undefined ? 'the command line' : input === '-' ? 'standard input' : input;
}

/** An entry that will not be downloaded: where it was given (a URL, or `list.txt:12`), and why. */
export type OnRefused = (given: string, error: DownloadError) => void;

/** How `get` treats what an earlier run left, and an entry given twice; `add` queues every entry as given. */
export interface QueueMode {
  /**
   * An entry whose download an earlier run left unfinished goes on with it; one whose file it finished, still
   * there, is reported and not fetched again; an entry given twice in one command runs once.
   */
  again: boolean;
  /** `add` of a million-line list needs only the count; `get` needs the ids to wait for. */
  keepIds: boolean;
  /**
   * For `add`: the download already in the queue, unfinished, for an entry (null: none). Such an entry, and one
   * given twice, is said and not queued again.
   */
  queuedAlready?: (request: { url: string; folder: string | null; name: string | null }) => DownloadRecord | null;
  /** `get -q`: what is only news (an entry given twice, a file checked or fetched again beside itself) is not said. */
  quiet?: boolean;
  onRefused?: OnRefused;
}

/** A download an earlier run finished, whose file is still there as it ended. */
export interface FoundFinished {
  record: DownloadRecord;
  path: string;
}

/** Refusals that say the input was wrong, not the server, the disk or the store. */
const INPUT_ERRORS: ReadonlySet<ErrorCode> = new Set(['INVALID_URL', 'UNSUPPORTED_SCHEME', 'INVALID_OPTION']);

/** The same download, however its URL and folder were written. */
function entryKey(r: AddRequest, folder: string): string {
  let url = r.url.trim();
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    url = parsed.href;
  } catch {
    // Not a URL: adding it reports that.
  }
  return `${url}\n${resolve(r.folder ?? folder)}\n${r.name ?? ''}`;
}

/**
 * Queues everything the command was given, in batches; returns the ids and how many entries were refused, each
 * said on stderr with its code (and handed to `onRefused`).
 */
export async function queueAll(
  engine: Engine,
  urls: string[],
  flags: CommonFlags,
  defaults: RequestDefaults,
  mode: QueueMode,
): Promise<{ ids: number[]; queued: number; refused: number; badInput: number; finished: FoundFinished[]; alreadyQueued: number }> {
  const ids: number[] = [];
  let alreadyQueued = 0;
  const finished: FoundFinished[] = [];
  let queued = 0;
  let refused = 0;
  let badInput = 0;
  const refuse = (where: string, error: DownloadError) => {
    refused++;
    if (INPUT_ERRORS.has(error.code)) badInput++;
    say(`${where}: ${error.message} [${error.code}]`);
    mode.onRefused?.(where, error);
  };
  const note = (line: string) => {
    if (!mode.quiet) say(line);
  };
  let batch: AddRequest[] = [];
  // What this run has taken on, so an entry given twice runs once; and the batch's entries, which the store does
  // not have yet: an entry the same as one of them sends the batch in first, so that it is found there.
  const taken = new Set<number>();
  const batchKeys = new Set<string>();
  const flush = () => {
    for (const result of engine.addSync(batch)) {
      if (result.ok) {
        queued++;
        if (mode.keepIds) ids.push(result.id);
        if (mode.again) taken.add(result.id);
      } else {
        refuse(maskUrlPassword(result.url), result.error);
      }
    }
    batch = [];
    batchKeys.clear();
  };
  for await (const item of collectRequests(urls, flags.input, defaults)) {
    if ('problem' in item) {
      // An option line's problem is reported; its download is still added, so it is no refused download.
      if (item.lost) {
        refuse(item.where, { code: item.code, message: item.problem });
      } else {
        say(`${item.where}: ${item.problem}`);
      }
      continue;
    }
    const r = item.request;
    // Looked up in the store either way: one given twice in this batch is found there once the batch is in it.
    const key = mode.queuedAlready || mode.again ? entryKey(r, defaults.folder ?? '.') : null;
    if (key !== null && batchKeys.has(key)) flush();
    if (mode.queuedAlready) {
      let there: DownloadRecord | null = null;
      try {
        there = mode.queuedAlready({ url: r.url, folder: r.folder ?? defaults.folder ?? null, name: r.name ?? null });
      } catch {
        // An invalid URL: addSync below reports it.
      }
      if (there) {
        alreadyQueued++;
        note(`${item.where}: already in the queue as #${there.id} (${there.status}), not added again`);
        continue;
      }
    }
    if (mode.again) {
      let earlier: EarlierRun | null = null;
      try {
        earlier = await engine.findEarlierRun({ url: r.url, folder: r.folder ?? defaults.folder ?? '.', name: r.name ?? null, options: r.options ?? {} }, (path, size) => {
          if (size >= CHECK_SAID_FROM) note(`${item.where}: checking ${path} (${formatBytes(size)}) against the ${r.options?.checksum?.algorithm ?? 'checksum'} given…`);
        });
      } catch {
        // An invalid URL: addSync below reports it.
      }
      if (earlier && taken.has(earlier.record.id)) {
        note(`${item.where}: given again, downloaded once${earlier.otherOptions ? ', with the options given first' : ''}`);
        continue;
      }
      if (earlier?.status === 'unfinished') {
        try {
          engine.requeueUnfinished(earlier.record, r.options ?? {});
        } catch (thrown) {
          // The store refuses this row (its disk full, a damaged page): the entry fails, the rest still run.
          refuse(item.where, storeRefusalError(thrown));
          continue;
        }
        taken.add(earlier.record.id);
        queued++;
        ids.push(earlier.record.id);
        continue;
      }
      if (earlier?.status === 'finished') {
        taken.add(earlier.record.id);
        finished.push({ record: earlier.record, path: earlier.path });
        continue;
      }
      if (earlier?.status === 'differs') {
        const algorithm = r.options?.checksum?.algorithm ?? 'checksum';
        note(`${item.where}: ${earlier.path} is there, but its ${algorithm} is ${earlier.actual}, not the one given: downloading it again beside it`);
      } else if (earlier?.status === 'resized') {
        const was = earlier.record.size ?? earlier.record.bytesDone;
        // Sizes that read the same rounded are told in bytes.
        const [now, then] = formatBytes(earlier.size) === formatBytes(was) ? [`${earlier.size} bytes`, `${was}`] : [formatBytes(earlier.size), formatBytes(was)];
        note(`${item.where}: ${earlier.path} is there, but at ${now}, not the ${then} it was downloaded at: downloading it again beside it`);
      } else if (earlier?.status === 'unreadable') {
        note(`${item.where}: ${earlier.path} is there, but cannot be read to check it (${earlier.reason}): downloading it again beside it`);
      }
    }
    if (key !== null) batchKeys.add(key);
    batch.push(r);
    if (batch.length >= ADD_BATCH) flush();
  }
  flush();
  return { ids, queued, refused, badInput, finished, alreadyQueued };
}
