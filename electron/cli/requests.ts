import type { AddRequest, DownloadOptions, ErrorCode } from '../../shared/types';
import { parseUrlList, readLines, type Line, type ListItem } from '../engine/index';

export interface RequestDefaults {
  folder?: string;
  name?: string;
  options: DownloadOptions;
  paused?: boolean;
}

async function* fromArguments(urls: string[]): AsyncGenerator<string> {
  yield* urls;
}

/** Applies the command line's options under what each list entry says for itself. */
function withDefaults(request: AddRequest, defaults: RequestDefaults): AddRequest {
  const options = { ...defaults.options, ...request.options };
  if (defaults.options.headers || request.options?.headers) options.headers = { ...defaults.options.headers, ...request.options?.headers };
  return {
    ...request,
    folder: request.folder ?? defaults.folder,
    name: request.name ?? defaults.name,
    options,
    paused: defaults.paused,
  };
}

/**
 * The downloads a command was given: URLs on the command line, then the list file, streamed. Each entry and
 * problem carries where it came from (`list.txt:12` or `argument 2`).
 */
export async function* collectRequests(
  urls: string[],
  listFile: string | undefined,
  defaults: RequestDefaults,
): AsyncGenerator<{ where: string; request: AddRequest } | { where: string; problem: string; lost: boolean; code: ErrorCode }> {
  const label = (source: string, item: ListItem) => (source === '' ? `argument ${item.line}` : `${source}:${item.line}`);
  const sources: [string, AsyncIterable<Line>][] = [['', fromArguments(urls)]];
  if (listFile) sources.push([listFile, readLines(listFile)]);
  for (const [source, lines] of sources) {
    for await (const item of parseUrlList(lines)) {
      if (item.kind === 'problem') yield { where: label(source, item), problem: item.message, lost: item.lost, code: item.code };
      else yield { where: label(source, item), request: withDefaults(item.request, defaults) };
    }
  }
}
