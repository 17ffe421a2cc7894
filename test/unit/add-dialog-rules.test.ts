import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineCount, NO_OPTIONS, parseAddOptions, urlLines } from '../../shared/add-options';
import { errorHover, statusText } from '../../shared/status-words';

describe('the Add dialog and the words of the queue', () => {
  it('reads one URL a line, skipping blanks, comments and repeats', () => {
    assert.deepEqual(urlLines(' http://a/x \n\n# note\nhttp://a/y\nhttp://a/x\n'), { urls: ['http://a/x', 'http://a/y'], repeated: 1 });
  });

  it("counts a list file's lines as an editor does", () => {
    assert.deepEqual(['', 'a', 'a\n', 'a\nb', 'a\nb\n', '\n', 'a\n\n'].map(lineCount), [0, 1, 1, 2, 2, 1, 2]);
  });

  it('turns the option fields into download options, or says for each field what is wrong', () => {
    assert.deepEqual(parseAddOptions({ folder: ' /tmp/d ', connections: '4', speedLimit: '2M', checksum: 'md5=' + 'a'.repeat(32), perServer: '', proxy: '' }), {
      folder: '/tmp/d',
      options: { segments: 4, speedLimit: 2 * 1024 * 1024, checksum: { algorithm: 'md5', hex: 'a'.repeat(32) } },
      errors: {},
    });
    assert.deepEqual(parseAddOptions(NO_OPTIONS), { options: {}, errors: {} });
    const bad = parseAddOptions({ folder: '', connections: '40', speedLimit: 'fast', checksum: 'sha-256=zz', perServer: '', proxy: '' });
    assert.equal(bad.errors.connections, 'Use a whole number from 1 to 32.');
    assert.equal(bad.errors.speedLimit, 'Use a rate such as 500K or 2M (per second).');
    assert.match(bad.errors.checksum ?? '', /algorithm=digest/);
    assert.deepEqual(bad.options, {});
    // The engine would put a relative folder under its own working folder, wherever that is.
    assert.match(parseAddOptions({ ...NO_OPTIONS, folder: 'relative/dir' }).errors.folder ?? '', /^Write the whole path/);
  });

  it('says a status in words, a failure in a few, and the whole error with what to do next', () => {
    assert.equal(statusText({ status: 'queued', error: null }), 'Waiting');
    assert.equal(statusText({ status: 'active', error: { code: 'HTTP_ERROR', message: 'the server answered 503', status: 503 } }), 'Retrying: server error');
    assert.equal(statusText({ status: 'failed', error: { code: 'DISK_FULL', message: 'no space left on device' } }), 'Failed: disk full');
    // What Retry does, not what cannot be done beside a Retry button.
    assert.equal(statusText({ status: 'failed', error: { code: 'CANNOT_RESUME', message: 'the connection was cut, and the server cannot resume' } }), 'Failed: must start over');
    assert.match(errorHover({ code: 'HTTP_ERROR', message: 'the server answered 403 Forbidden', status: 403 }), /^the server answered 403 Forbidden\. The server refused access: .*may have expired/);
  });

  it('tells a missing file, a refusal and a fault of the server apart, each with its own next step', () => {
    const failed = (status: number, message = 'the link failed') => statusText({ status: 'failed', error: { code: 'HTTP_ERROR', message, status } });
    assert.equal(failed(404), 'Failed: not found');
    assert.equal(failed(410), 'Failed: not found');
    assert.equal(failed(403), 'Failed: access denied');
    assert.equal(failed(503), 'Failed: server error');
    assert.equal(failed(408), 'Failed: server busy', 'a "not now" the engine retries is no refusal');
    assert.equal(failed(416), 'Failed: no such range');
    assert.equal(failed(400), 'Failed: request refused');
    assert.equal(failed(503, 'the server answered 404 Not Found'), 'Failed: server error', 'the status decides, not the words');
    assert.equal(statusText({ status: 'failed', error: { code: 'HTTP_ERROR', message: 'the server answered 404 Not Found' } }), 'Failed: server error', 'no status: the code alone');
    const fault = errorHover({ code: 'HTTP_ERROR', message: 'the server answered 500 Internal Server Error', status: 500 });
    assert.doesNotMatch(fault, /expired/, 'a fault on the server is no expired link');
    assert.match(fault, /retry later/);
  });
});
