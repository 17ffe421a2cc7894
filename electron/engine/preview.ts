import type { DownloadRecord, KnownDownload, PreviewResult } from '../../shared/types';
import { BraidError, toBraidError } from './errors';
import { nameFromUrl } from './filename';
import { probe, type ProbeClients } from './probe';
import { checkUrl } from './url-rules';

/** Servers asked at once: a pasted page of links should not open a hundred connections together. */
const AT_ONCE = 4;
/** A preview is a courtesy before Start: a server that takes longer is shown as not answering, not waited on. */
const PREVIEW_TIMEOUT_MS = 15_000;

export interface PreviewContext {
  clients: ProbeClients;
  findByUrl(url: string): DownloadRecord | null;
}

function known(record: DownloadRecord | null): KnownDownload | null {
  return record ? { id: record.id, name: record.name, status: record.status, folder: record.folder } : null;
}

async function previewOne(ctx: PreviewContext, text: string): Promise<PreviewResult> {
  let url: string;
  try {
    url = checkUrl(text);
  } catch (error) {
    return { ok: false, url: text, error: toBraidError(error, text).toJSON(), existing: null };
  }
  const existing = known(ctx.findByUrl(url));
  const signal = AbortSignal.timeout(PREVIEW_TIMEOUT_MS);
  try {
    const answer = await probe(ctx.clients, url, {}, signal);
    return { ok: true, url, name: answer.filename ?? nameFromUrl(answer.finalUrl), size: answer.size, resumable: answer.acceptRanges, existing };
  } catch (error) {
    const e = signal.aborted ? new BraidError('TIMEOUT', `the server did not answer within ${PREVIEW_TIMEOUT_MS / 1000} s`) : toBraidError(error, url);
    return { ok: false, url, error: e.toJSON(), existing };
  }
}

/** Probes each URL (a few at a time) and finds the download Braid already has for it; adds nothing. */
export async function previewUrls(ctx: PreviewContext, urls: string[]): Promise<PreviewResult[]> {
  const results: PreviewResult[] = new Array(urls.length);
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const i = next++;
      results[i] = await previewOne(ctx, urls[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, urls.length) }, worker));
  return results;
}
