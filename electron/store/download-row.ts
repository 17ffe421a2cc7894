import type { DownloadRecord, DownloadStatus } from '../../shared/types';
import type { DownloadPatch } from '../engine/ports';

/** A download as its row in the `downloads` table holds it, and how it is read back and patched. */
export interface DownloadRow {
  id: number;
  url: string;
  mirrors: string;
  final_url: string | null;
  source_url: string | null;
  folder: string;
  requested_name: string | null;
  name: string | null;
  size: number | null;
  etag: string | null;
  last_modified: string | null;
  accept_ranges: number;
  status: DownloadStatus;
  stop_reason: 'user' | 'shutdown' | null;
  priority: number;
  position: number;
  options: string;
  error_code: string | null;
  error_message: string | null;
  error_status: number | null;
  bytes_done: number;
  retries: number;
  retry_log: string;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  placing: string | null;
  link_refreshed_at: number | null;
  link_refreshed_by: string | null;
}

export function toRecord(r: DownloadRow): DownloadRecord {
  return {
    id: r.id,
    url: r.url,
    mirrors: JSON.parse(r.mirrors) as string[],
    finalUrl: r.final_url,
    sourceUrl: r.source_url,
    folder: r.folder,
    requestedName: r.requested_name,
    name: r.name,
    size: r.size,
    etag: r.etag,
    lastModified: r.last_modified,
    acceptRanges: r.accept_ranges === 1,
    status: r.status,
    stopReason: r.stop_reason,
    priority: r.priority,
    position: r.position,
    options: JSON.parse(r.options) as DownloadRecord['options'],
    error: r.error_code
      ? {
          code: r.error_code as NonNullable<DownloadRecord['error']>['code'],
          message: r.error_message ?? '',
          ...(r.error_status !== null ? { status: r.error_status } : {}),
        }
      : null,
    bytesDone: r.bytes_done,
    retries: r.retries,
    retryLog: JSON.parse(r.retry_log) as DownloadRecord['retryLog'],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
    placing: r.placing ? (JSON.parse(r.placing) as DownloadRecord['placing']) : null,
    linkRefresh:
      r.link_refreshed_at !== null ? { at: r.link_refreshed_at, by: r.link_refreshed_by === 'user' ? 'user' : 'original-url' } : null,
  };
}

/** Column for each patchable field, and how its value is stored. */
export const PATCH_COLUMNS: Record<Exclude<keyof DownloadPatch, 'error' | 'linkRefresh'>, [string, (v: never) => unknown]> = {
  url: ['url', (v) => v],
  finalUrl: ['final_url', (v) => v],
  sourceUrl: ['source_url', (v) => v],
  name: ['name', (v) => v],
  size: ['size', (v) => v],
  etag: ['etag', (v) => v],
  lastModified: ['last_modified', (v) => v],
  acceptRanges: ['accept_ranges', (v: boolean) => (v ? 1 : 0)],
  status: ['status', (v) => v],
  stopReason: ['stop_reason', (v) => v],
  bytesDone: ['bytes_done', (v) => v],
  retries: ['retries', (v) => v],
  retryLog: ['retry_log', (v: unknown) => JSON.stringify(v)],
  completedAt: ['completed_at', (v) => v],
  priority: ['priority', (v) => v],
  position: ['position', (v) => v],
  placing: ['placing', (v: unknown) => (v === null ? null : JSON.stringify(v))],
  options: ['options', (v: unknown) => JSON.stringify(v)],
};
