import { StartOver } from './errors';
import type { JobState } from './job-state';
import type { Clock, DownloadRepository } from './ports';
import type { ProbeResult } from './probe';
import { versionChange } from './validators';

export interface LinkRefreshDeps {
  state: JobState;
  repo: DownloadRepository;
  clock: Clock;
  /** Asks the download's current source again, following its redirects anew. */
  probe(signal: AbortSignal): Promise<ProbeResult>;
}

/** What a connection asks when its link is refused. */
export interface FreshLinks {
  /** Whether a refusal of `url` may be answered with a fresh link: it was reached through a redirect. */
  canRefresh(url: string): boolean;
  /** Resolves once requests go to a fresh link. */
  refresh(refusedUrl: string, signal: AbortSignal): Promise<void>;
}

/**
 * Gets a fresh link when the one a download's URL redirected to stops working (a signed link that expired): asks
 * the download's own URL again, checks the answer is the same file, and points the download's requests at the
 * new link. Connections refused together share one refresh. Only the moment is recorded: a restart starts
 * from the download's own URL whatever link it last had.
 */
export class LinkRefresher implements FreshLinks {
  private pending: Promise<void> | null = null;

  constructor(private readonly deps: LinkRefreshDeps) {}

  /** Whether a refusal of `url` may be answered with a fresh link: it was reached through a redirect. */
  canRefresh(url: string): boolean {
    return url !== this.deps.state.sources.current;
  }

  /** Resolves once requests go to a fresh link (at once when another connection already got one for `refusedUrl`). */
  refresh(refusedUrl: string, signal: AbortSignal): Promise<void> {
    if (this.deps.state.sources.requestUrl !== refusedUrl) return Promise.resolve();
    this.pending ??= this.fresh(signal).finally(() => (this.pending = null));
    return this.pending;
  }

  private async fresh(signal: AbortSignal): Promise<void> {
    const { state, repo, clock } = this.deps;
    const p = await this.deps.probe(signal);
    // A fresh link to another version would splice two files: start over instead (the seam check covers
    // servers that give no validator, since every answer's first byte is a seam).
    const change = versionChange(state.validators, p);
    if (change) throw new StartOver(`the download's URL now leads to another version: ${change}`);
    state.sources.requestUrl = p.finalUrl;
    state.responseDate = p.date ?? state.responseDate;
    const patch = { finalUrl: p.finalUrl, linkRefresh: { at: clock.wallTime(), by: 'original-url' as const } };
    repo.update(state.id, patch);
    state.remember(patch);
  }
}
