import { join } from 'node:path';
import type { DownloadRecord, DownloadSnapshot, FinishingProgress } from '../../shared/types';
import type { Clock, PartFileHandle } from './ports';
import type { SeamLedger } from './seam-check';
import { SegmentScheduler } from './segment-scheduler';
import { SourceList } from './source-list';
import type { Validators } from './validators';

/**
 * What one running download knows, shared by the steps of its job: its row as last written, the open `.part`,
 * the version of the file whose bytes are on disk, its live segments and where its bytes come from.
 */
export class JobState {
  record: DownloadRecord;
  file: PartFileHandle | null = null;
  validators: Validators = { etag: null, lastModified: null, size: null };
  /** The server's Date with the validators, which decides whether a Last-Modified may go in If-Range. */
  responseDate: string | null = null;
  /** Seams to verify before finishing, when the server gives no validator; null when it does. */
  seams: SeamLedger | null = null;
  /** Where finishing is, once every byte has arrived; null while bytes are still fetched. */
  finishing: FinishingProgress | null = null;
  /** The name came from the URL, though an answer of this run may still give one (only HEAD was asked). */
  nameOpen = false;
  readonly segments: SegmentScheduler;
  readonly sources: SourceList;

  constructor(record: DownloadRecord, clock: Clock) {
    this.record = record;
    this.segments = new SegmentScheduler(clock);
    this.sources = new SourceList(record);
  }

  get id(): number {
    return this.record.id;
  }

  get ranged(): boolean {
    return this.segments.ranged;
  }

  get partPath(): string {
    return join(this.record.folder, `${this.record.name}.part`);
  }

  /** What the UI draws of the running download; the figures of the moment come from the job. */
  snapshot(now: Pick<DownloadSnapshot, 'speed' | 'connections' | 'memory' | 'error' | 'hostLimit' | 'connectionWait'>): DownloadSnapshot {
    const rec = this.record;
    const segments = this.segments.received();
    const bytesDone = segments.reduce((sum, s) => sum + s.done, 0);
    const size = this.validators.size ?? rec.size;
    return {
      ...now,
      id: rec.id,
      url: rec.url,
      name: rec.name ?? rec.requestedName,
      folder: rec.folder,
      status: 'active',
      size,
      bytesDone,
      eta: size !== null && now.speed > 0 ? (size - bytesDone) / now.speed : null,
      segments: size === null ? [] : segments,
      priority: rec.priority,
      position: rec.position,
      seamCheck: this.seams !== null,
      ...(this.finishing ? { finishing: { ...this.finishing } } : {}),
      linkRefresh: rec.linkRefresh,
    };
  }

  /** Closes the `.part` if it is open; a failure to close is no news to whoever is already giving up on it. */
  async closeFile(): Promise<void> {
    await this.file?.close().catch(() => undefined);
    this.file = null;
  }

  /** Keeps a change made to the stored row in the copy the job reads. */
  remember(patch: Partial<DownloadRecord>): void {
    this.record = { ...this.record, ...patch };
  }
}
