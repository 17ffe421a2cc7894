import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DownloadRecord } from '../../shared/types';

/**
 * Deletes what removed downloads leave on disk. An unfinished download's `.part` is of no use once the download
 * is gone, so it always goes; "delete the file" is about the finished file alone.
 */
export async function deleteRemovedFiles(records: readonly DownloadRecord[], deleteFinished: boolean): Promise<void> {
  for (const r of records) {
    if (!r.name) continue;
    if (r.status !== 'completed') await rm(join(r.folder, `${r.name}.part`), { force: true });
    else if (deleteFinished) await rm(join(r.folder, r.name), { force: true });
  }
}
