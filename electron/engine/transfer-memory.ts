import type { BufferPools } from './buffer-pool';
import type { ConnectionPool } from './receive/connection-pool';

/**
 * The memory Braid's transfer buffers occupy, and its peak: pooled write buffers in use or idle, and for each
 * open socket of the receive path its read buffer and the two stashes (what came with a head, what came during a
 * pause), each at most one read.
 */
export class TransferMemory {
  private peakHeld = 0;

  constructor(
    private readonly pools: BufferPools,
    private readonly receivePool: ConnectionPool | null,
    private readonly readSize: number,
  ) {}

  held(): number {
    return this.pools.allocatedBytes + (this.receivePool?.openSockets ?? 0) * 3 * this.readSize;
  }

  /** The most held at once, as of now. */
  peak(): number {
    this.peakHeld = Math.max(this.peakHeld, this.held(), this.pools.peakBytes);
    return this.peakHeld;
  }
}
