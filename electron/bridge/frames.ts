import type { Readable, Writable } from 'node:stream';

/**
 * Native messaging frames (the browser and `braid browser-host`; the host and a running engine speak them too): a 32-bit length in the machine's byte order (little-endian on every platform the
 * browsers ship for) and that many bytes of UTF-8 JSON. The browser caps a host's message at 1 MiB; what the
 * extension sends is bounded here too, so a broken peer cannot make the host hold gigabytes.
 */
export const MAX_INCOMING = 4 * 1024 * 1024;
export const MAX_OUTGOING = 1024 * 1024;

export class FrameError extends Error {}

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > MAX_OUTGOING) throw new FrameError(`a reply of ${body.length} bytes is over the browser's limit`);
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** The messages on `input`, in order, until it ends; a frame over the limit or not JSON ends it with an error. */
export async function* readFrames(input: Readable): AsyncGenerator<unknown> {
  let pending = Buffer.alloc(0);
  for await (const chunk of input) {
    pending = Buffer.concat([pending, chunk as Buffer]);
    while (pending.length >= 4) {
      const length = pending.readUInt32LE(0);
      if (length > MAX_INCOMING) throw new FrameError(`a message of ${length} bytes is over ${MAX_INCOMING}`);
      if (pending.length < 4 + length) break;
      const body = pending.subarray(4, 4 + length).toString('utf8');
      pending = pending.subarray(4 + length);
      try {
        yield JSON.parse(body) as unknown;
      } catch {
        throw new FrameError('a message that is not JSON');
      }
    }
  }
  if (pending.length > 0) throw new FrameError('the input ended inside a message');
}

export function writeFrame(output: Writable, message: unknown): Promise<void> {
  return new Promise((resolve, reject) => output.write(encodeFrame(message), (error) => (error ? reject(error) : resolve())));
}
