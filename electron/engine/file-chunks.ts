import { open } from 'node:fs/promises';

/**
 * A file's bytes, read again and again into one buffer of `size`: each chunk is valid only until the next is asked
 * for. A fresh buffer per read would pile up as garbage until V8 collects it, tens of MiB for a large file.
 */
export async function* fileChunks(path: string, size: number): AsyncGenerator<Buffer> {
  const buffer = Buffer.allocUnsafeSlow(size);
  const handle = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, size, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
