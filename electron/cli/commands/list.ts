import { formatBytes } from '../../../shared/format';
import { maskOptions, maskUrlPassword } from '../../../shared/header-mask';
import type { DownloadRecord } from '../../../shared/types';
import { existsSync } from 'node:fs';
import { engineRunning } from '../../store/engine-lock';
import { databasePath, openStore, type CommonFlags } from '../store-access';

/** `list` shows this many rows unless -n says otherwise: a queue may hold millions. */
export const LIST_DEFAULT_LIMIT = 1000;

/**
 * A row as `list` prints it. `running`: an engine holds the database; without one, an `active` row is a download a
 * crash or a kill left mid-way, which the next engine on this database resumes.
 */
function describe(r: DownloadRecord, running: boolean): string {
  const progress = r.size ? `${((r.bytesDone / r.size) * 100).toFixed(1).padStart(5)}%` : '     -';
  const size = r.size === null ? '?' : formatBytes(r.size);
  const error = r.error ? `  (${r.error.code}: ${r.error.message})` : '';
  const status = r.status === 'active' && !running ? 'interrupted' : r.status;
  return `${String(r.id).padStart(6)}  ${status.padEnd(11)} ${progress} ${size.padStart(10)}  ${r.name ?? r.requestedName ?? maskUrlPassword(r.url)}${error}`;
}

/** Reads the store only: no engine, no HTTP client. */
export function runList(flags: CommonFlags & { status?: string[]; limit?: number; json?: boolean }): number {
  if (!existsSync(databasePath(flags))) {
    // Nothing was ever queued there; looking does not create the database.
    process.stdout.write(flags.json ? `${JSON.stringify({ total: 0, items: [] })}\n` : '0 downloads: none\n');
    return 0;
  }
  const { db, repo } = openStore(flags);
  const running = engineRunning(databasePath(flags));
  const page = repo.list({ status: flags.status as DownloadRecord['status'][] | undefined, limit: flags.limit ?? LIST_DEFAULT_LIMIT });
  if (flags.json) {
    // Cookies, keys and passwords a download carries are never printed whole.
    const masked = (r: DownloadRecord) => ({
      ...r,
      url: maskUrlPassword(r.url),
      finalUrl: r.finalUrl && maskUrlPassword(r.finalUrl),
      sourceUrl: r.sourceUrl && maskUrlPassword(r.sourceUrl),
      mirrors: r.mirrors.map(maskUrlPassword),
      options: maskOptions(r.options),
    });
    process.stdout.write(`${JSON.stringify({ ...page, items: page.items.map(masked), engineRunning: running })}\n`);
  } else {
    for (const r of page.items) process.stdout.write(`${describe(r, running)}\n`);
    if (page.total > page.items.length) process.stdout.write(`… ${page.total - page.items.length} more (use -n)\n`);
    const counts = Object.entries(repo.countByStatus()).filter(([, n]) => n > 0);
    const all = counts.reduce((sum, [, n]) => sum + n, 0);
    const breakdown = counts.map(([s, n]) => `${n} ${s}`).join(', ') || 'none';
    // Filtered, the first figure is what matched; the breakdown is always the whole queue's.
    const shown = flags.status ? `${page.total} ${flags.status.join(' or ')} of ${all}` : `${all}`;
    process.stdout.write(`${shown} download${all === 1 ? '' : 's'}: ${breakdown}\n`);
  }
  db.close();
  return 0;
}
