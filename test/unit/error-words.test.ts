import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toBraidError } from '../../electron/engine/errors';

function nodeError(code: string, message: string, path?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, ...(path ? { path } : {}) });
}

describe('errors in words', () => {
  it("says the disk's refusals in words, with the path, not in Node's", () => {
    const e = toBraidError(nodeError('ENOENT', "ENOENT: no such file or directory, open '/proc/x.bin.part'", '/proc/x.bin.part'));
    assert.deepEqual([e.code, e.message], ['FILE_ERROR', 'cannot write /proc/x.bin.part: no such file or folder (removed meanwhile, or a place that cannot hold files)']);
    assert.equal(toBraidError(nodeError('EACCES', 'EACCES: permission denied')).message, 'cannot write the file: permission denied');
  });

  it('names the scheme a redirect led to, not the HTTP library\'s sentence', () => {
    const e = toBraidError(nodeError('ERR_UNSUPPORTED_PROTOCOL', 'Unsupported protocol: ftp:'), 'http://127.0.0.1:9/x');
    assert.deepEqual([e.code, e.message], ['UNSUPPORTED_SCHEME', 'the server redirected to a scheme Braid does not download (127.0.0.1:9): ftp: (only http and https)']);
  });
});
