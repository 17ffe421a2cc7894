import type { BufferPools } from './buffer-pool';
import type { HttpClient } from './http-client';
import type { HostLimits } from './host-limits';
import type { MemoryBudget } from './memory-budget';
import type { Clock, DownloadRepository, FileSystemPort } from './ports';
import type { ProxyRouter } from './proxy/proxy-router';
import type { ConnectionPool } from './receive/connection-pool';
import type { Timing } from './settings';
import type { TokenBucket } from './token-bucket';

/** What a download's run needs of the engine: the store, the disk, the clients and the shared limits. */
export interface JobContext {
  repo: DownloadRepository;
  fs: FileSystemPort;
  clock: Clock;
  http: HttpClient;
  budget: MemoryBudget;
  pools: BufferPools;
  globalBucket: TokenBucket;
  timing: Timing;
  segments: number;
  perDownloadMemory: number;
  /** Braid's own receive path; null sends every request through got. */
  receivePool: ConnectionPool | null;
  /** The most one socket read brings. */
  maxRead: number;
  /** Connections per server (learned and set) and in all. */
  hosts: HostLimits;
  /** Which proxy a request goes through. */
  proxies: ProxyRouter;
  /** Counts the body bytes received over all downloads. */
  received: { bytes: number };
}
