import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Checksum, ChecksumAlgorithm } from '../../shared/types';
import { BraidError } from './errors';

const NODE_NAMES: Record<ChecksumAlgorithm, string> = { md5: 'md5', 'sha-1': 'sha1', 'sha-256': 'sha256', 'sha-512': 'sha512' };
const HEX_LENGTH: Record<ChecksumAlgorithm, number> = { md5: 32, 'sha-1': 40, 'sha-256': 64, 'sha-512': 128 };

/** Parses `ALGO=HEX` (aria2's spelling: md5, sha-1, sha-256, sha-512; `sha256` is accepted too). */
export function parseChecksum(text: string): Checksum {
  const eq = text.indexOf('=');
  if (eq < 0) throw new BraidError('INVALID_OPTION', `checksum must be ALGO=HEX, got ${JSON.stringify(text)}`);
  const rawAlgo = text.slice(0, eq).trim().toLowerCase();
  const algorithm = (rawAlgo.replace(/^sha(\d)/, 'sha-$1') as ChecksumAlgorithm);
  if (!(algorithm in HEX_LENGTH)) {
    throw new BraidError('INVALID_OPTION', `unknown checksum algorithm ${JSON.stringify(rawAlgo)} (md5, sha-1, sha-256, sha-512)`);
  }
  const hex = text.slice(eq + 1).trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex) || hex.length !== HEX_LENGTH[algorithm]) {
    throw new BraidError('INVALID_OPTION', `a ${algorithm} checksum is ${HEX_LENGTH[algorithm]} hex digits`);
  }
  return { algorithm, hex };
}

/** Hashes the file by streaming it, never reading it whole. */
export async function hashFile(path: string, algorithm: ChecksumAlgorithm): Promise<string> {
  const hash = createHash(NODE_NAMES[algorithm]);
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
