import { ChecksumFormatError, parseChecksum as parseChecksumText } from '../../shared/checksum';
import type { Checksum } from '../../shared/types';
import { BraidError } from './errors';

/** `ALGO=HEX` as the shared contract parses it, refused as a BraidError INVALID_OPTION. */
export function parseChecksum(text: string): Checksum {
  try {
    return parseChecksumText(text);
  } catch (error) {
    if (error instanceof ChecksumFormatError) throw new BraidError('INVALID_OPTION', error.message);
    throw error;
  }
}
