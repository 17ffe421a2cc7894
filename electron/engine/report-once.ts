const reported = new Set<string>();

/**
 * Something went wrong that no download can carry (the store refused to record a failure, a tick broke): said
 * once per kind on stderr, never thrown into the event loop, where it would end the process.
 */
export function reportOnce(what: string, error: unknown, detail = ''): void {
  if (reported.has(what)) return;
  reported.add(what);
  process.stderr.write(`braid: ${what}${detail ? ` (${detail})` : ''}: ${(error as Error)?.message ?? String(error)}\n`);
}
