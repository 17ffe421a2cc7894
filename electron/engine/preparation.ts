import { join } from 'node:path';
import { formatBytes } from '../../shared/format';
import { BraidError, errorCode } from './errors';
import type { Finished } from './finishing';
import { nameFromUrl, sanitizeFilename, uniqueName } from './filename';
import type { JobState } from './job-state';
import type { DownloadRepository, FileSystemPort } from './ports';
import type { ProbeResult } from './probe';
import { decideResume } from './resume-decision';
import { SeamLedger } from './seam-check';
import { ifRangeValue } from './validators';

/** Room left on the disk beyond the file itself. */
const SPACE_MARGIN = 16 * 1024 * 1024;

export interface PreparationDeps {
  repo: DownloadRepository;
  fs: FileSystemPort;
  /** Connections for a new plan (the download's own option, else the engine's setting). */
  connections: number;
  /** A new plan with nothing done was committed. */
  planCommitted(): void;
}

/**
 * Gets the `.part` file and the plan ready for a transfer: continues what is on disk when the server still has
 * the same file, starts over when it does not, or starts fresh under a free name. Every new plan is committed
 * before the file is touched, so a crash in between never leaves the store claiming bytes of another version.
 */
export class Preparation {
  constructor(
    private readonly state: JobState,
    private readonly deps: PreparationDeps,
  ) {}

  /**
   * Resolves with the finished file when the plan was done and the `.part` gone (a crash while placing the final
   * file) and `reconcile` finds the file placed; null when the file is ready for a transfer.
   */
  async prepare(p: ProbeResult, reconcile: () => Promise<Finished | null>, startingOver: (reason: string) => void): Promise<Finished | null> {
    const { state, deps } = this;
    const stored = deps.repo.segments(state.id);
    this.adopt(p);
    let partSize: number | null = null;
    if (state.record.name && stored.length > 0) {
      try {
        state.file = await deps.fs.openExisting(state.partPath);
        partSize = await state.file.size();
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
    const planDone = stored.length > 0 && stored.every((s) => s.done >= s.end - s.start);
    const decision = decideResume({ record: state.record, plannedSegments: stored.length, partSize }, state.sources.current, p, planDone);
    switch (decision.kind) {
      case 'finished': {
        const done = await reconcile();
        if (done) return done;
        await this.freshStart(p);
        return null;
      }
      case 'resume': {
        const rec = state.record;
        await this.checkSpace(rec.size, await this.partOnDisk(stored.reduce((n, s) => n + s.done, 0), rec.size));
        state.validators = { etag: rec.etag, lastModified: rec.lastModified, size: rec.size };
        state.segments.restore(stored);
        this.watchSeams();
        // Bytes before each stored boundary and each resume point came from answers of an earlier run.
        for (const s of stored) {
          state.seams?.add(s.start);
          state.seams?.add(s.start + s.done);
        }
        return null;
      }
      case 'start-over':
        startingOver(decision.reason);
        await this.startOver(p, true);
        return null;
      case 'fresh':
        await state.closeFile();
        await this.freshStart(p);
        return null;
    }
  }

  /** Takes the server's answer as the version of the file to download. */
  private adopt(p: ProbeResult): void {
    this.state.sources.requestUrl = p.finalUrl;
    this.state.responseDate = p.date;
  }

  /**
   * Seams are verified unless a strong ETag goes in If-Range. A Last-Modified alone is not enough: whether it is
   * strong depends on the Date of the answer it came with, and a resume next week sees another Date.
   */
  private watchSeams(): void {
    const s = this.state;
    const etag = ifRangeValue({ ...s.validators, lastModified: null }, s.responseDate);
    s.seams = s.ranged && etag === null ? new SeamLedger() : null;
  }

  /**
   * Bytes of the file the disk already holds: what was received, or more where its blocks were allocated ahead,
   * which free space no longer counts.
   */
  private async partOnDisk(received: number, size: number | null): Promise<number> {
    return Math.max(received, Math.min(size ?? 0, await this.deps.fs.diskUsage(this.state.partPath)));
  }

  async checkSpace(size: number | null, alreadyOnDisk: number): Promise<void> {
    if (size === null) return;
    const folder = this.state.record.folder;
    const free = await this.deps.fs.freeSpace(folder);
    const needed = size - alreadyOnDisk + SPACE_MARGIN;
    if (free < needed) {
      throw new BraidError('NOT_ENOUGH_DISK_SPACE', `not enough disk space in ${folder}: the file needs ${formatBytes(size)}, ${formatBytes(free)} is free`);
    }
  }

  private nameTaken = (candidate: string): boolean => {
    const folder = this.state.record.folder;
    return (
      this.deps.fs.occupied(join(folder, candidate)) ||
      this.deps.fs.occupied(join(folder, `${candidate}.part`)) ||
      this.deps.repo.isNameReserved(folder, candidate, this.state.id)
    );
  };

  private async freshStart(p: ProbeResult): Promise<void> {
    const { state, deps } = this;
    await deps.fs.makeFolder(state.record.folder);
    await this.checkSpace(p.size, 0);
    const wanted = state.record.requestedName ? sanitizeFilename(state.record.requestedName) : (p.filename ?? nameFromUrl(p.finalUrl));
    state.nameOpen = !state.record.requestedName && p.filename === null;
    await this.dropOwnLeftover();
    for (let attempt = 0; !state.file; attempt++) {
      const name = uniqueName(wanted, this.nameTaken);
      // The name is recorded before the file exists, so a crash between the two leaves a `.part` that the
      // next start knows for its own (and removing the download removes it).
      deps.repo.update(state.id, { name, placing: null });
      state.remember({ name, placing: null });
      try {
        state.file = await deps.fs.createExclusive(state.partPath);
      } catch (error) {
        // Something appeared at that path since we looked (or it is a planted link): take the next name.
        if (errorCode(error) !== 'EEXIST' || attempt > 100) throw error;
      }
    }
    if (p.size !== null) {
      await state.file.truncate(p.size);
      await state.file.reserve(p.size);
    }
    state.validators = { etag: p.etag, lastModified: p.lastModified, size: p.size };
    state.segments.plan(p.size, p.acceptRanges, this.deps.connections);
    this.watchSeams();
    this.commitPlan(p);
  }

  /**
   * Renames the open `.part` to the name a later answer gave (sanitised, made unique). The new name is linked
   * first (never over anything there), then recorded, then the old one unlinked: a crash in between leaves the
   * recorded name on the bytes. Where the file system has no hard links the URL's name stays.
   */
  async renamePart(wanted: string): Promise<void> {
    const { state, deps } = this;
    if (wanted === state.record.name) return;
    for (let attempt = 0; attempt < 100; attempt++) {
      const name = uniqueName(wanted, this.nameTaken);
      const from = state.partPath;
      try {
        await deps.fs.link(from, join(state.record.folder, `${name}.part`));
      } catch (error) {
        if (errorCode(error) === 'EEXIST') continue; // something appeared there since we looked
        return;
      }
      deps.repo.update(state.id, { name });
      state.remember({ name });
      await deps.fs.remove(from);
      return;
    }
  }

  /**
   * A download with a recorded name but no committed plan crashed between creating its `.part` and planning
   * it: that file holds nothing yet and is this download's, so it goes (a link there is only unlinked).
   */
  private async dropOwnLeftover(): Promise<void> {
    const { state, deps } = this;
    if (!state.record.name || deps.repo.segments(state.id).length > 0) return;
    if ((await deps.fs.identityOf(state.partPath)) !== null) await deps.fs.remove(state.partPath);
  }

  /** Throws away the bytes on disk, after committing the new plan. `p` null: the same version, asked again. */
  async startOver(p: ProbeResult | null, ranged: boolean): Promise<void> {
    const state = this.state;
    if (p) {
      this.adopt(p);
      state.validators = { etag: p.etag, lastModified: p.lastModified, size: p.size };
      await this.checkSpace(p.size, await this.partOnDisk(0, p.size));
    }
    const size = state.validators.size;
    state.segments.plan(size, ranged && (p ? p.acceptRanges : true), this.deps.connections);
    this.watchSeams();
    this.commitPlan(p);
    const file = state.file!;
    await file.truncate(0);
    if (size !== null) {
      await file.truncate(size);
      await file.reserve(size);
    }
  }

  /** Commits the current plan with nothing done (the next checkpoints add progress to it). */
  commitPlan(p: ProbeResult | null): void {
    const state = this.state;
    const segments = state.segments.written(false).map((s) => ({ ...s, done: 0 }));
    const patch = {
      name: state.record.name,
      size: p ? p.size : state.validators.size,
      acceptRanges: state.ranged,
      bytesDone: 0,
      sourceUrl: state.sources.recorded,
      placing: null,
      ...(p ? { etag: p.etag, lastModified: p.lastModified, finalUrl: p.finalUrl } : {}),
    };
    this.deps.repo.saveProgress(state.id, segments, patch);
    state.remember(patch);
    this.deps.planCommitted();
  }
}
