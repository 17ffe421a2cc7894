import { constants, lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { access, link, lstat, mkdir, open, rename, stat, statfs, unlink } from 'node:fs/promises';
import type { ChecksumAlgorithm } from '../../shared/types';
import { BraidError, errorCode, toBraidError } from './errors';
import { fileChunks } from './file-chunks';
import { identityOf, partFile } from './part-file-handle';
import type { FileSystemPort } from './ports';

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NODE_HASH_NAMES: Record<ChecksumAlgorithm, string> = { md5: 'md5', 'sha-1': 'sha1', 'sha-256': 'sha256', 'sha-512': 'sha512' };
/** Reads of a file being verified: large enough that the hash, not the calls, takes the time. */
const HASH_READ_SIZE = 1024 * 1024;

function missing(error: unknown): boolean {
  return (error as { code?: string }).code === 'ENOENT';
}

/**
 * Creates `folder` and its missing parents, one level at a time. Node's own recursive mkdir never ends where a
 * folder cannot be made although its parent exists (under /proc, ENOENT every time): it would spin, and keep the
 * download from failing or stopping.
 */
async function makeFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder);
    return;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return mustBeFolder(folder);
    const parent = dirname(folder);
    if (errorCode(error) !== 'ENOENT' || parent === folder) throw folderRefusal(folder, error, parent === folder);
  }
  await makeFolder(dirname(folder));
  try {
    await mkdir(folder);
  } catch (error) {
    // Made by someone else meanwhile is as good.
    if (errorCode(error) !== 'EEXIST') throw folderRefusal(folder, error);
    await mustBeFolder(folder);
  }
}

/** `atRoot`: nothing above it to make first (a drive or volume that is not there). A full disk is said as one. */
function folderRefusal(folder: string, error: unknown, atRoot = false): BraidError {
  const code = errorCode(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') return toBraidError(error);
  const why = atRoot && code === 'ENOENT' ? 'it does not exist' : writeRefusal(error);
  return new BraidError('FILE_ERROR', `cannot make the folder ${folder}: ${why}`, { cause: error });
}

async function mustBeFolder(path: string): Promise<void> {
  if (!(await stat(path)).isDirectory()) throw new BraidError('FILE_ERROR', `cannot save into ${path}: it is a file, not a folder`);
  // Asked before the space is: a folder on a read-only disk would otherwise be refused for want of room.
  try {
    await access(path, constants.W_OK);
  } catch (error) {
    throw new BraidError('FILE_ERROR', `cannot save into ${path}: ${writeRefusal(error)}`, { cause: error });
  }
}

function writeRefusal(error: unknown): string {
  const code = errorCode(error);
  if (code === 'EROFS') return 'the disk it is on is read-only';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of its path is a file, not a folder';
  if (code === 'ENOENT') return 'this place does not take new folders';
  return (error as Error).message;
}

export const nodeFileSystem: FileSystemPort = {
  async createExclusive(path) {
    return partFile(path, await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o644));
  },
  async openExisting(path) {
    return partFile(path, await open(path, constants.O_RDWR | NOFOLLOW));
  },
  async freeSpace(folder) {
    const s = await statfs(folder);
    // A file system that reports no size at all (/proc, /sys, some FUSE mounts) says nothing about room: the
    // write itself will tell whether a file can go there.
    return s.blocks === 0 ? Infinity : s.bavail * s.bsize;
  },
  makeFolder,
  occupied(path) {
    try {
      lstatSync(path);
      return true;
    } catch {
      return false;
    }
  },
  async identityOf(path) {
    try {
      return identityOf(await lstat(path, { bigint: true }));
    } catch (error) {
      if (missing(error)) return null;
      throw error;
    }
  },
  async diskUsage(path) {
    try {
      // Not every system counts blocks (Windows): there, what a file holds is all it is known to take.
      const s = await lstat(path);
      return s.isFile() ? (s.blocks ?? 0) * 512 : 0;
    } catch (error) {
      if (missing(error)) return 0;
      throw error;
    }
  },
  async fileSize(path) {
    try {
      const s = await lstat(path);
      return s.isFile() ? s.size : null;
    } catch (error) {
      if (missing(error)) return null;
      throw error;
    }
  },
  link: (from, to) => link(from, to),
  rename: (from, to) => rename(from, to),
  async remove(path) {
    try {
      await unlink(path);
    } catch (error) {
      if (!missing(error)) throw error;
    }
  },
  async syncFolder(folder) {
    // Makes the rename durable; folders cannot be opened for sync on every platform, which is not an error.
    try {
      const handle = await open(folder, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      /* best effort */
    }
  },
  async hash(path, algorithm, signal, onRead) {
    // Loaded when a checksum is asked for: Node's crypto costs every start ~5-10 ms.
    const { createHash } = await import('node:crypto');
    const hash = createHash(NODE_HASH_NAMES[algorithm]);
    // The signal ends the reading between two reads.
    for await (const chunk of fileChunks(path, HASH_READ_SIZE)) {
      if (signal.aborted) throw signal.reason;
      hash.update(chunk);
      onRead?.(chunk.length);
    }
    if (signal.aborted) throw signal.reason;
    return hash.digest('hex');
  },
};
