import type { Checksum, ChecksumAlgorithm } from './types';

// The checksum forms Braid accepts, in one place: `--checksum`, `checksum=` in a list, the Add form and the API
// all refuse a digest whose length does not fit its algorithm when it is added, not after the whole download.

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['md5', 'sha-1', 'sha-256', 'sha-512'];

/** Hex digits of a digest of each algorithm. */
export const CHECKSUM_HEX_LENGTH: Readonly<Record<ChecksumAlgorithm, number>> = { md5: 32, 'sha-1': 40, 'sha-256': 64, 'sha-512': 128 };

/** Thrown by parseChecksum; the message says what is wrong in plain words. */
export class ChecksumFormatError extends Error {
  readonly code = 'INVALID_OPTION' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ChecksumFormatError';
  }
}

/** The algorithm named by aria2's spellings (`md5`, `sha-1`, `sha-256`, `sha-512`; also `sha1`, `SHA256`); null if none. */
export function checksumAlgorithm(name: string): ChecksumAlgorithm | null {
  const normal = name.trim().toLowerCase().replace(/^sha(\d)/, 'sha-$1');
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(normal) ? (normal as ChecksumAlgorithm) : null;
}

/** What is wrong with a checksum of a known algorithm, or null when its digest fits it. */
export function checksumProblem(checksum: Checksum): string | null {
  const length = CHECKSUM_HEX_LENGTH[checksum.algorithm];
  return checksum.hex.length === length && /^[0-9a-f]+$/i.test(checksum.hex) ? null : `${checksum.algorithm === 'md5' ? 'an' : 'a'} ${checksum.algorithm} checksum is ${length} hex digits`;
}

/** Parses `ALGO=HEX`; the digest comes back in lower case. Throws ChecksumFormatError. */
export function parseChecksum(text: string): Checksum {
  const eq = text.indexOf('=');
  if (eq < 0) throw new ChecksumFormatError(`checksum must be ALGO=HEX, got ${JSON.stringify(text.slice(0, 80))}`);
  const raw = text.slice(0, eq).trim();
  const algorithm = checksumAlgorithm(raw);
  if (!algorithm) {
    throw new ChecksumFormatError(`unknown checksum algorithm ${JSON.stringify(raw.slice(0, 40).toLowerCase())} (${CHECKSUM_ALGORITHMS.join(', ')})`);
  }
  const checksum = { algorithm, hex: text.slice(eq + 1).trim().toLowerCase() };
  const problem = checksumProblem(checksum);
  if (problem) throw new ChecksumFormatError(problem);
  return checksum;
}
