import { createRequire } from 'node:module';

let phrases: Record<number, string | undefined> | null = null;

/**
 * The standard reason phrase of an HTTP status, for servers that send none. `node:http` is loaded here on the first
 * such error only: a download over Braid's own receive path needs nothing else of it.
 */
export function reasonPhrase(status: number): string {
  phrases ??= (createRequire(import.meta.url)('node:http') as typeof import('node:http')).STATUS_CODES;
  return phrases[status] ?? '';
}
