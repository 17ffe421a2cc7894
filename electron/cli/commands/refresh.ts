import { formatBytes } from '../../../shared/format';
import type { ErrorCode, RefreshResult } from '../../../shared/types';
import { createEngine, toWireError } from '../../engine/index';
import { linesView } from '../progress';
import { openStoreToRun, say, type CommonFlags } from '../store-access';
import { runToEnd } from './get';

export interface RefreshFlags extends CommonFlags {
  startOver?: boolean;
  json?: boolean;
}

/** Failures of the new link's server or the way to it; others (a bad request, the disk, the store) are said as they are. */
const THE_NEW_LINKS: ReadonlySet<ErrorCode> = new Set(['HTTP_ERROR', 'NETWORK_ERROR', 'TIMEOUT', 'BAD_RESPONSE', 'TOO_MANY_REDIRECTS', 'RETRY_AFTER_TOO_LONG', 'PROXY_ERROR', 'LINK_EXPIRED']);

function proofLine(r: RefreshResult): string {
  switch (r.proof) {
    case 'validator':
      return `the new link serves the same file (same size and ETag): going on from the ${formatBytes(r.kept)} on disk`;
    case 'samples':
      return `the new link serves the same file (same size, and the bytes on disk read the same from it): going on from the ${formatBytes(r.kept)} on disk`;
    case 'nothing-on-disk':
      return 'nothing was on disk yet: downloading from the new link';
    case 'start-over':
      return 'starting over from the new link';
  }
}

/**
 * `braid refresh ID URL`: gives a download that is not running a new link (its old one expired) and runs it to
 * the end. A link to a different file is refused with nothing changed (exit 1) unless `--start-over`.
 */
export async function runRefresh(id: number, url: string, flags: RefreshFlags): Promise<number> {
  const { db, repo, lock } = openStoreToRun(flags);
  // Under the engine lock nothing runs a download: one still marked active was left so by a Braid that was
  // killed, and is queued again as the next engine start would.
  repo.requeue('active', 'shutdown');
  const engine = createEngine({ repo });
  let code = 0;
  try {
    let result: RefreshResult;
    try {
      result = await engine.refreshLink(id, url, { startOver: flags.startOver });
    } catch (thrown) {
      const error = toWireError(thrown);
      // What the new link's server answered (a 500, no answer) is said as the new link's, not as the download's.
      if (THE_NEW_LINKS.has(error.code) && !/nothing was changed$/.test(error.message)) error.message = `the new link could not be checked: ${error.message}; nothing was changed`;
      if (flags.json) process.stdout.write(`${JSON.stringify({ id, refreshed: null, error })}\n`);
      say(`${error.message} [${error.code}]`);
      return error.code === 'CANNOT_RESUME' ? 1 : 2;
    }
    if (flags.json) process.stdout.write(`${JSON.stringify({ refreshed: result })}\n`);
    else say(proofLine(result));
    const view = flags.json ? null : linesView(process.stdout, process.stderr);
    if (view) engine.onEvent((event) => view.onEvent(event));
    const { interrupted } = await runToEnd(engine, [id], view);
    view?.stop();
    const r = repo.get(id);
    if (flags.json && r) process.stdout.write(`${JSON.stringify({ id, status: r.status, error: r.error })}\n`);
    if (interrupted) code = 130;
    else if (r?.status !== 'completed') {
      say(`failed: ${r?.error?.message ?? 'unknown error'} [${r?.error?.code ?? '?'}]`);
      code = 1;
    }
    return code;
  } finally {
    await engine.close();
    db.close();
    lock.release();
  }
}
