import type { AddRequest, AddResult, ArmedCatch, DownloadRecord, LinkCatch, RefreshResult } from '../../shared/types';
import { toWireError } from './errors';
import { DifferentFile } from './link-proof';
import type { RefreshOptions } from './refresh-link';

/**
 * "The next download from the browser is this one's new link": a user who cannot copy a fresh signed link clicks
 * the site's download button again, and the browser's download, handed over by the extension, is offered to the
 * waiting download instead of becoming a new one. At most one catch is armed at a time, for a while; whoever takes
 * it disarms it at once, so two handovers never both become its link.
 */
export class LinkCatcher {
  private armed: { id: number; until: number; timer: NodeJS.Timeout } | null = null;
  /** The download whose caught link is being proven now. */
  private checking: number | null = null;

  constructor(
    private readonly report: (change: LinkCatch) => void,
    private readonly lifetimeMs: number,
    private readonly wallTime: () => number,
  ) {}

  /** Arms the catch for download `id`; one armed for another download is called off. */
  arm(id: number): ArmedCatch {
    if (this.armed) this.drop('cancelled');
    const until = this.wallTime() + this.lifetimeMs;
    const timer = setTimeout(() => {
      if (this.armed?.timer === timer) this.drop('expired');
    }, this.lifetimeMs);
    timer.unref();
    this.armed = { id, until, timer };
    const armed: ArmedCatch = { state: 'armed', id, until };
    this.report(armed);
    return armed;
  }

  /** Calls off the catch of download `id`, if it is the one armed. */
  cancel(id: number): void {
    if (this.armed?.id === id) this.drop('cancelled');
  }

  /** The download a catch is armed for, if any. */
  get armedFor(): number | null {
    return this.armed?.id ?? null;
  }

  /**
   * Disarms and returns the armed download's id when `matches` accepts it (the caller then makes the browser's
   * download its link and reports how that went); null, and still armed, otherwise.
   */
  take(matches: (id: number) => boolean): number | null {
    if (!this.armed || !matches(this.armed.id)) return null;
    const { id, timer } = this.armed;
    clearTimeout(timer);
    this.armed = null;
    this.checking = id;
    this.report({ state: 'checking', id });
    return id;
  }

  /** The download whose caught link is being proven, if any: a second click in the browser meanwhile is not a new download. */
  get checkingFor(): number | null {
    return this.checking;
  }

  /** The proof of a caught link ended, with `change` (used or refused). */
  settle(change: LinkCatch): void {
    this.checking = null;
    this.report(change);
  }

  /** Stops the timer (the engine closes); nothing is reported. */
  close(): void {
    if (this.armed) clearTimeout(this.armed.timer);
    this.armed = null;
    this.checking = null;
  }

  private drop(state: 'expired' | 'cancelled'): void {
    const { id, timer } = this.armed!;
    clearTimeout(timer);
    this.armed = null;
    this.report({ state, id });
  }
}

/** A name as browsers and Braid vary it: case, and the ` (1)` / `(1)` a clash in a folder adds before the extension. */
function comparableName(name: string): string {
  return name
    .normalize('NFC')
    .toLowerCase()
    .replace(/\s?\(\d+\)(?=\.[^.]*$|$)/, '');
}

/**
 * Whether a download the browser hands over is the waiting download's file, by what can be known before asking
 * any server: the same file name, or the same size when both sizes are known. The link is still proven the same
 * file (size and ETag, or sample windows) before it is used; this only decides which download to offer it to.
 */
export function catchMatches(record: Pick<DownloadRecord, 'name' | 'size' | 'status'>, request: Pick<AddRequest, 'name'>, size: number | null): boolean {
  if (record.status !== 'paused' && record.status !== 'failed') return false;
  if (record.name && request.name && comparableName(record.name) === comparableName(request.name)) return true;
  return record.size !== null && record.size > 0 && size !== null && size === record.size;
}

export interface CatchDeps {
  catcher: LinkCatcher;
  record(id: number): DownloadRecord | null;
  add(requests: AddRequest[]): AddResult[];
  refresh(id: number, url: string, options: RefreshOptions): Promise<RefreshResult>;
  proofDeadlineMs: number;
}

/**
 * The browser extension's downloads (`sizes` are the browser's, in the same order, null when unknown). When a
 * catch is armed, the first that matches its download is proven the same file and becomes that download's link,
 * with the browser's headers for it, and the download resumes: it comes back as taken, under the waiting
 * download's id, so the browser cancels its own. A different file comes back refused with why, so the browser
 * keeps it. The rest are added as usual.
 */
export async function offerToCatch(deps: CatchDeps, requests: AddRequest[], sizes: readonly (number | null)[]): Promise<AddResult[]> {
  // While a caught link is proven, the browser's downloads of the same file (the user clicked again) are refused,
  // so the browser keeps them, rather than added as a second download of it.
  const checking = deps.catcher.checkingFor;
  const proving = checking === null ? null : deps.record(checking);
  if (checking !== null && proving) {
    const again = (i: number) => catchMatches({ ...proving, status: 'paused' }, requests[i]!, sizes[i] ?? null);
    if (requests.some((_, i) => again(i))) {
      const message = `Braid is still checking the browser's last download of this file for download #${checking}`;
      return addTheRest(deps, requests, again, async (r) => ({ ok: false, url: r.url, error: { code: 'INVALID_OPTION', message } }));
    }
  }
  let index = -1;
  const id = deps.catcher.take((armed) => {
    const record = deps.record(armed);
    index = record ? requests.findIndex((r, i) => catchMatches(record, r, sizes[i] ?? null)) : -1;
    return index >= 0;
  });
  if (id === null) return deps.add(requests);
  return addTheRest(deps, requests, (i) => i === index, (r) => takeCaught(deps, id, r));
}

/** Adds the requests `held` leaves alone, as usual, then answers the held ones with `answer`, each in its place. */
async function addTheRest(deps: CatchDeps, requests: AddRequest[], held: (index: number) => boolean, answer: (request: AddRequest) => Promise<AddResult>): Promise<AddResult[]> {
  const rest = requests.filter((_, i) => !held(i));
  const added = rest.length > 0 ? deps.add(rest) : [];
  const results: AddResult[] = [];
  let next = 0;
  for (const [i, request] of requests.entries()) results.push(held(i) ? await answer(request) : added[next++]!);
  return results;
}

async function takeCaught(deps: CatchDeps, id: number, request: AddRequest): Promise<AddResult> {
  try {
    const result = await deps.refresh(id, request.url, { headers: request.options?.headers ?? {}, deadlineMs: deps.proofDeadlineMs });
    deps.catcher.settle({ state: 'used', id, result });
    return { ok: true, id, resumed: true };
  } catch (error) {
    const wire = toWireError(error);
    deps.catcher.settle({ state: 'refused', id, error: wire });
    const message = error instanceof DifferentFile ? `a different file than download #${id}: ${error.reason}` : `download #${id} could not take this link: ${wire.message}`;
    return { ok: false, url: request.url, error: { code: wire.code, message } };
  }
}
