import { basename, join } from 'node:path';
import { BraidError, errorCode } from './errors';
import { uniqueName } from './filename';
import type { JobState } from './job-state';
import type { DownloadRepository, FileSystemPort } from './ports';

/** Errors of file systems without hard links, where a checked rename has to do. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EXDEV', 'ENOSYS', 'EMLINK']);

export interface Finished {
  name: string;
  path: string;
  size: number;
}

/**
 * The last steps of a download, in the order that survives a crash at any point: check the size and checksum,
 * sync the file, record the final name with the file's identity, link it there (never over anything), remove the
 * `.part`, sync the folder. The caller then commits `completed`.
 */
export class Finishing {
  constructor(
    private readonly state: JobState,
    private readonly repo: DownloadRepository,
    private readonly fs: FileSystemPort,
  ) {}

  /** `discard` forgets the bytes on disk when the checksum shows they are wrong. */
  async finish(size: number, signal: AbortSignal, discard: () => void): Promise<Finished> {
    const state = this.state;
    const file = state.file!;
    const onDisk = await file.size();
    if (onDisk !== size) throw new BraidError('SIZE_MISMATCH', `the file has ${onDisk} bytes, expected ${size}`);
    const checksum = state.record.options.checksum;
    if (checksum) {
      const progress = { step: 'checksum' as const, done: 0, total: size };
      state.finishing = progress;
      const actual = await this.fs.hash(state.partPath, checksum.algorithm, signal, (bytes) => (progress.done += bytes));
      if (actual !== checksum.hex) {
        // The bytes are wrong: the next try must fetch them again, not trust them.
        discard();
        throw new BraidError('CHECKSUM_ERROR', `${checksum.algorithm} of the file is ${actual}, expected ${checksum.hex}`, {
          ifLast: `what arrived stays in ${basename(state.partPath)} to look at, and is fetched again if the download is retried`,
        });
      }
    }
    state.finishing = { step: 'saving' };
    await file.datasync();
    const identity = await file.identity();
    await file.close();
    state.file = null;
    const name = await this.place(identity);
    await this.fs.syncFolder(state.record.folder);
    return { name, path: join(state.record.folder, name), size };
  }

  /**
   * A plan that is done with its `.part` gone: finished only if the recorded final name holds this download's
   * own file (same device and inode), never someone else's file that happens to share a name and size.
   */
  async reconcile(): Promise<Finished | null> {
    const rec = this.state.record;
    if (!rec.placing || rec.size === null) return null;
    const path = join(rec.folder, rec.placing.name);
    if ((await this.fs.identityOf(path)) !== rec.placing.identity) return null;
    if ((await this.fs.fileSize(path)) !== rec.size) return null;
    return { name: rec.placing.name, path, size: rec.size };
  }

  /** Moves `.part` to a free final name without ever replacing a file that appeared there meanwhile. */
  private async place(identity: string): Promise<string> {
    const state = this.state;
    const folder = state.record.folder;
    const part = state.partPath;
    const earlier = state.record.placing;
    if (earlier && earlier.identity === identity && (await this.fs.identityOf(join(folder, earlier.name))) === identity) {
      // A crash came between linking the final name and removing the `.part`: only the removal is left.
      await this.fs.remove(part);
      return earlier.name;
    }
    const wanted = state.record.name!;
    for (let attempt = 0; attempt < 100; attempt++) {
      const name = uniqueName(wanted, (c) => this.fs.occupied(join(folder, c)));
      const target = join(folder, name);
      const placing = { name, identity };
      this.repo.update(state.id, { placing });
      state.remember({ placing });
      try {
        await this.fs.link(part, target); // fails if anything is at `target`, unlike rename
        await this.fs.remove(part);
        return name;
      } catch (error) {
        const code = errorCode(error);
        if (code === 'EEXIST') continue;
        if (code && NO_LINKS.has(code)) {
          if (this.fs.occupied(target)) continue;
          await this.fs.rename(part, target);
          return name;
        }
        throw error;
      }
    }
    throw new BraidError('FILE_ERROR', `no free name for ${wanted} in ${folder}`);
  }
}
