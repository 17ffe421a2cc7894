import type { AddRequest, DownloadError } from '../../../shared/types';
import type { Engine } from '../../engine/index';
import { collectRequests, type RequestDefaults } from '../requests';
import { say, type CommonFlags } from '../store-access';

const ADD_BATCH = 1000;

/** How a message names the list `-i` gave. */
export function listName(input: string | undefined): string {
  return input === undefined ? 'the command line' : input === '-' ? 'standard input' : input;
}

/** An entry that will not be downloaded: where it was given (a URL, or `list.txt:12`), and why. */
export type OnRefused = (given: string, error: DownloadError) => void;

/**
 * Queues everything the command was given, in batches; returns the ids and how many entries were refused, each
 * said on stderr with its code (and handed to `onRefused`).
 */
export async function queueAll(
  engine: Engine,
  urls: string[],
  flags: CommonFlags,
  defaults: RequestDefaults,
  reuseUnfinished: boolean,
  keepIds: boolean,
  onRefused: OnRefused = () => undefined,
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
        say(`${result.url}: ${result.error.message} [${result.error.code}]`);
        onRefused(result.url, result.error);
      }
    }
    batch = [];
  };
  for await (const item of collectRequests(urls, flags.input, defaults)) {
    if ('problem' in item) {
      // An option line's problem is reported; its download is still added, so it is no refused download.
      if (item.lost) {
        refused++;
        say(`${item.where}: ${item.problem} [${item.code}]`);
        onRefused(item.where, { code: item.code, message: item.problem });
      } else {
        say(`${item.where}: ${item.problem}`);
      }
      continue;
    }
    const r = item.request;
    if (reuseUnfinished) {
      try {
        const existing = engine.requeueUnfinished(r.url, r.folder ?? defaults.folder ?? '.', r.name ?? null, r.options ?? {});
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
