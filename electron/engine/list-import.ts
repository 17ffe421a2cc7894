import type { AddRequest, AddResult, ImportReport } from '../../shared/types';
import { parseUrlList } from './url-list';

/** A report lists this many refused lines at most; the count covers them all. */
const MAX_PROBLEMS = 1000;
/** Lines are added a transaction of this many at a time: a million-line list never sits in one. */
const BATCH = 1000;

/**
 * Adds the downloads of a list (plain URLs or aria2's input-file format) through `add`, the list's own options
 * over `defaults`, and reports each refused line by its number.
 */
export async function importUrlList(
  text: string,
  defaults: { folder?: string; paused?: boolean },
  add: (requests: AddRequest[]) => AddResult[],
): Promise<ImportReport> {
  const report: ImportReport = { added: 0, problems: [], refused: 0 };
  const refuse = (line: number, message: string) => {
    report.refused++;
    if (report.problems.length < MAX_PROBLEMS) report.problems.push({ line, message });
  };
  async function* lines() {
    yield* text.split(/\r?\n/);
  }
  let batch: { line: number; request: AddRequest }[] = [];
  const flush = () => {
    const results = add(batch.map((b) => b.request));
    results.forEach((r, i) => (r.ok ? report.added++ : refuse(batch[i]!.line, r.error.message)));
    batch = [];
  };
  for await (const item of parseUrlList(lines())) {
    if (item.kind === 'problem') refuse(item.line, item.message);
    else batch.push({ line: item.line, request: { ...item.request, folder: item.request.folder ?? defaults.folder, paused: defaults.paused } });
    if (batch.length >= BATCH) flush();
  }
  flush();
  return report;
}
