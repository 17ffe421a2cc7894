/**
 * Keeps V8's young generation at its first size (semi-spaces of 1 MiB) instead of letting it grow to 16 MiB:
 * the receive path allocates little per read, so scavenges stay rare either way, and the process holds ~5-6 MiB
 * less at its peak (BENCHMARKS.md). Set at run time rather than as a flag at Node's start, which makes V8 refuse
 * Node's code cache and costs every command ~20 ms; taken on a later turn, after the first connections are asked
 * for, so nothing of the start is compiled without that cache.
 */
export function keepYoungGenerationSmall(): void {
  void import('node:v8').then((v8) => v8.setFlagsFromString('--semi-space-growth-factor=1'));
}
