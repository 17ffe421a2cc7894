import { constants } from 'node:fs';
import { open, statfs, type FileHandle } from 'node:fs/promises';
import type { FileSystemPort, PartFileHandle } from './ports';

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

class NodePartFile implements PartFileHandle {
  constructor(private readonly handle: FileHandle) {}

  async write(buffer: Buffer, length: number, position: number): Promise<void> {
    let offset = 0;
    while (offset < length) {
      const { bytesWritten } = await this.handle.write(buffer, offset, length - offset, position + offset);
      offset += bytesWritten;
    }
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  truncate(size: number): Promise<void> {
    return this.handle.truncate(size);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export const nodeFileSystem: FileSystemPort = {
  async createExclusive(path) {
    return new NodePartFile(await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o644));
  },
  async openExisting(path) {
    return new NodePartFile(await open(path, constants.O_RDWR | NOFOLLOW));
  },
  async freeSpace(folder) {
    const s = await statfs(folder);
    return s.bavail * s.bsize;
  },
};
