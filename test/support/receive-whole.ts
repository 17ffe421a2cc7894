import type { RangeResponse } from '../../electron/engine/receive/range-response';

/** Receives an open response's body, at most `size` bytes, into one buffer: what arrived, and how it ended. */
export async function receiveWhole(response: RangeResponse, size: number): Promise<{ body: Buffer; received: number; complete: boolean }> {
  const body = Buffer.alloc(size);
  let received = 0;
  const end = await response.receive((buffer, start, stop) => {
    buffer.copy(body, received, start, stop);
    received += stop - start;
  }, size);
  return { body, received, complete: end.complete };
}
