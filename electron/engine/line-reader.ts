import { BraidError, errorCode } from './errors';
import { fileChunks } from './file-chunks';

/** Stands in for a line longer than the limit: its bytes were dropped as they arrived, never held. */
export const LINE_TOO_LONG: unique symbol = Symbol('line too long');
export type Line = string | typeof LINE_TOO_LONG;

/** The longest line a list may have, in bytes (a URL with its mirrors fits many times over). */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Splits a byte stream into lines (LF or CRLF) holding at most `maxBytes` of any one line, so a file of
 * gigabytes without a newline costs no more memory than a short one. Each line is decoded on its own;
 * invalid UTF-8 shows up as U+FFFD for the parser to report.
 */
export async function* splitLines(chunks: AsyncIterable<Buffer>, maxBytes = MAX_LINE_BYTES): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  const take = (): Line => {
    const line = tooLong ? LINE_TOO_LONG : decode(Buffer.concat(parts, size));
    parts = [];
    size = 0;
    tooLong = false;
    return line;
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, newline === -1 ? chunk.length : newline);
      if (!tooLong) {
        if (size + piece.length > maxBytes + 1) {
          // +1 leaves room for the CR of a CRLF ending; the line is dropped from here on.
          tooLong = true;
          parts = [];
          size = 0;
        } else if (piece.length > 0) {
          parts.push(Buffer.from(piece)); // a copy, so the read chunk is not kept alive by a slice
          size += piece.length;
        }
      }
      if (newline === -1) break;
      yield take();
      start = newline + 1;
    }
  }
  if (size > 0 || tooLong) yield take();
}

function decode(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  return bytes.toString('utf8', 0, end);
}

/** The lines of a file (`-`: standard input), read through one reused 64 KiB buffer (`splitLines` copies what it keeps). */
export function readLines(path: string): AsyncIterable<Line> {
  return splitLines(path === '-' ? process.stdin : listChunks(path));
}

/** A list that cannot be read (a socket given by its path, a disk error) is said in one line, as a bad option is. */
async function* listChunks(path: string): AsyncGenerator<Buffer> {
  try {
    yield* fileChunks(path, 64 * 1024);
  } catch (error) {
    throw new BraidError('INVALID_OPTION', `cannot read the list ${path} (${errorCode(error) ?? (error as Error).message})`, { cause: error });
  }
}
