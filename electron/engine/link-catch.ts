import type { AddRequest, ArmedCatch, DownloadRecord, LinkCatch } from '../../shared/types';

/**
 * "The next download from the browser is this one's new link": a user who cannot copy a fresh signed link clicks
 * the site's download button again, and the browser's download, handed over by the extension, is offered to the
 * waiting download instead of becoming a new one. At most one catch is armed at a time, for a while; whoever takes
 * it disarms it at once, so two handovers never both become its link.
 */
export class LinkCatcher {
  private armed: { id: number; until: number; timer: NodeJS.Timeout } | null = null;

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
    return id;
  }

  /** Stops the timer (the engine closes); nothing is reported. */
  close(): void {
    if (this.armed) clearTimeout(this.armed.timer);
    this.armed = null;
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
