import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ChecksumFormatError, parseChecksum as parseChecksumText } from '../../shared/checksum';
import type { Checksum, ChecksumAlgorithm } from '../../shared/types';
import { BraidError } from './errors';

const NODE_NAMES: Record<ChecksumAlgorithm, string> = { md5: 'md5', 'sha-1': 'sha1', 'sha-256': 'sha256', 'sha-512': 'sha512' };

/** `ALGO=HEX` as the shared contract parses it, refused as a BraidError INVALID_OPTION. */
export function parseChecksum(text: string): Checksum {
  try {
    return parseChecksumText(text);
  } catch (error) {
    if (error instanceof ChecksumFormatError) throw new BraidError('INVALID_OPTION', error.message);
    throw error;
  }
}

/** Hashes the file by streaming it, never reading it whole. */
export async function hashFile(path: string, algorithm: ChecksumAlgorithm): Promise<string> {
  const hash = createHash(NODE_NAMES[algorithm]);
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
