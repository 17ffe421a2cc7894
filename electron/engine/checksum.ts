import type { Checksum, ChecksumAlgorithm } from '../../shared/types';
import { BraidError } from './errors';

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
