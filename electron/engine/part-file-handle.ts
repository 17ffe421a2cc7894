import { constants, type BigIntStats } from 'node:fs';
import { open, statfs, type FileHandle } from 'node:fs/promises';
import { inStepWithFile, O_DIRECT, PAGE, takesDirectWrites, wholePages } from './direct-io';
import { errorCode } from './errors';
import type { PartFileHandle } from './ports';

// An open `.part` file: its whole pages go straight to the disk where that pays, its edges and every read
// through the page cache.

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Device, inode and modification time: an inode number freed by a deleted file is soon given to a new one, so
 * the number alone can name someone else's file; linking and unlinking names leave the modification time alone.
 */
export function identityOf(s: BigIntStats): string {
  return `${s.dev}:${s.ino}:${s.mtimeNs}`;
}

async function writeAll(handle: FileHandle, buffer: Buffer, from: number, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await handle.write(buffer, from + done, length - done, position + done);
    done += bytesWritten;
  }
}

/** Smaller files are written before allocation ahead would pay for starting a process. */
const RESERVE_FROM = 64 * 1024 * 1024;
const RESERVE_TIMEOUT_MS = 5000;
const FALLOCATE = ['/usr/bin/fallocate', '/bin/fallocate'];

/**
 * Allocates the disk blocks of the file's first `size` bytes without changing its size. Direct writes that must
 * allocate blocks take the file's lock one at a time (ext4) and cost twice the system time; into blocks allocated
 * ahead, the writes of all segments run side by side. Node has no fallocate, util-linux's command does it; where
 * it is missing or fails, the file is written as before.
 */
async function allocateAhead(path: string, size: number): Promise<void> {
  const { execFile } = await import('node:child_process');
  // By its full path: whatever else is called fallocate on PATH is not to run for every download.
  for (const command of FALLOCATE) {
    const found = await new Promise<boolean>((resolve) => {
      execFile(command, ['--keep-size', '--length', String(size), path], { timeout: RESERVE_TIMEOUT_MS }, (error) => resolve(errorCode(error) !== 'ENOENT'));
    });
    if (found) return;
  }
}

class NodePartFile implements PartFileHandle {
  /** The file system turned a direct write down: every write goes through the page cache from then on. */
  private directRefused = false;
  /** Blocks being allocated ahead (`reserve`). */
  private reserving: Promise<void> = Promise.resolve();

  /**
   * @param direct the same file opened for writes that skip the page cache, where the system allows it; whole
   * pages go through it, and every other byte (and every read) through `handle`.
   */
  constructor(
    private readonly handle: FileHandle,
    private readonly direct: FileHandle | null,
  ) {}

  async write(buffer: Buffer, length: number, position: number): Promise<void> {
    const { head, pages } = wholePages(position, length);
    if (this.direct === null || this.directRefused || pages === 0 || !inStepWithFile(buffer, position)) {
      await writeAll(this.handle, buffer, 0, length, position);
      return;
    }
    await writeAll(this.handle, buffer, 0, head, position);
    const written = await this.writeDirect(this.direct, buffer, head, pages, position + head);
    const rest = head + written;
    await writeAll(this.handle, buffer, rest, length - rest, position + rest);
  }

  /**
   * Writes what it can of whole pages past the page cache; returns how many bytes that was. A file system that
   * turns such a write down (EINVAL: alignment it wants larger, or no support) gets every later write through
   * the page cache.
   */
  private async writeDirect(direct: FileHandle, buffer: Buffer, from: number, length: number, position: number): Promise<number> {
    let done = 0;
    try {
      while (done < length) {
        const { bytesWritten } = await direct.write(buffer, from + done, length - done, position + done);
        if (bytesWritten === 0 || bytesWritten % PAGE !== 0) return done + bytesWritten;
        done += bytesWritten;
      }
    } catch (error) {
      if (errorCode(error) !== 'EINVAL') throw error;
      this.directRefused = true;
    }
    return done;
  }

  async read(buffer: Buffer, length: number, position: number): Promise<number> {
    let offset = 0;
    while (offset < length) {
      const { bytesRead } = await this.handle.read(buffer, offset, length - offset, position + offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return offset;
  }

  async identity(): Promise<string> {
    return identityOf(await this.handle.stat({ bigint: true }));
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  async truncate(size: number): Promise<void> {
    await this.reserving;
    return this.handle.truncate(size);
  }

  reserve(size: number): Promise<void> {
    if (this.direct === null || size < RESERVE_FROM) return Promise.resolve();
    // Through /proc: the file this handle has open, whatever its name has come to lead to meanwhile. Not waited
    // for: the first writes need not wait for a process to start, and block allocation lets them in between its
    // steps; the handle stays open (and its number this file's) until it is done. Started on the next turn of the
    // event loop, after the segments' connections are asked for: starting a process holds the loop for a few ms.
    const path = `/proc/${process.pid}/fd/${this.handle.fd}`;
    this.reserving = new Promise<void>((next) => setImmediate(next)).then(() => allocateAhead(path, size)).catch(() => {});
    return Promise.resolve();
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  async close(): Promise<void> {
    await this.reserving;
    try {
      await this.direct?.close();
    } finally {
      await this.handle.close();
    }
  }
}

/**
 * Opens `path` a second time for direct writes, where they pay: on a local disk's file system (not tmpfs, NFS or
 * FUSE, nor where the system has no O_DIRECT); null elsewhere, or where the name no longer leads to the file
 * `handle` has open.
 */
async function openDirect(path: string, handle: FileHandle): Promise<FileHandle | null> {
  if (O_DIRECT === 0) return null;
  let direct: FileHandle;
  try {
    if (!takesDirectWrites(Number((await statfs(path)).type))) return null;
    direct = await open(path, constants.O_WRONLY | NOFOLLOW | O_DIRECT);
  } catch {
    return null;
  }
  let same = false;
  try {
    const [a, b] = await Promise.all([handle.stat({ bigint: true }), direct.stat({ bigint: true })]);
    same = a.dev === b.dev && a.ino === b.ino;
  } finally {
    if (!same) await direct.close();
  }
  return same ? direct : null;
}

/** The part file `handle` has open at `path`; closes `handle` when it cannot be made one. */
export async function partFile(path: string, handle: FileHandle): Promise<PartFileHandle> {
  try {
    return new NodePartFile(handle, await openDirect(path, handle));
  } catch (error) {
    await handle.close();
    throw error;
  }
}
