import { nodeFileSystem } from '../../electron/engine/part-file';
import type { FileSystemPort, PartFileHandle } from '../../electron/engine/ports';

/** `handle`, with the methods in `changes` in place of its own. */
export function changedHandle(handle: PartFileHandle, changes: Partial<PartFileHandle>): PartFileHandle {
  return {
    write: (buffer, length, position) => handle.write(buffer, length, position),
    read: (buffer, length, position) => handle.read(buffer, length, position),
    identity: () => handle.identity(),
    datasync: () => handle.datasync(),
    truncate: (size) => handle.truncate(size),
    reserve: (size) => handle.reserve(size),
    size: () => handle.size(),
    close: () => handle.close(),
    ...changes,
  };
}

/** The real file system, with every `.part` handle it opens changed by `change` (see `changedHandle`). */
export function fileSystemWithHandles(change: (handle: PartFileHandle) => PartFileHandle): FileSystemPort {
  return {
    ...nodeFileSystem,
    createExclusive: async (path) => change(await nodeFileSystem.createExclusive(path)),
    openExisting: async (path) => change(await nodeFileSystem.openExisting(path)),
  };
}

type Write = PartFileHandle['write'];

/** `handle`, with `before` told of every write (and waited for, when it returns a promise) before it is made. */
export function watchingWrites(handle: PartFileHandle, before: (...args: Parameters<Write>) => void | Promise<void>): PartFileHandle {
  return changedHandle(handle, {
    write: (buffer, length, position) => {
      const wait = before(buffer, length, position);
      return wait ? wait.then(() => handle.write(buffer, length, position)) : handle.write(buffer, length, position);
    },
  });
}

/** The real file system, with `before` told of every write to a `.part` file (see `watchingWrites`). */
export function fileSystemWatchingWrites(before: (...args: Parameters<Write>) => void | Promise<void>): FileSystemPort {
  return fileSystemWithHandles((handle) => watchingWrites(handle, before));
}
