import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkUrl } from '../../electron/engine/url-rules';
import { BraidError } from '../../electron/engine/errors';

function refusal(text: string): string {
  try {
    checkUrl(text);
  } catch (error) {
    assert.ok(error instanceof BraidError);
    return `${error.code}: ${error.message}`;
  }
  assert.fail(`${text} was taken`);
}

describe('the URLs a download may have', () => {
  it('leaves the fragment out: it is never sent, so it names the same download', () => {
    assert.equal(checkUrl('http://127.0.0.1:9/f.iso#part-2'), 'http://127.0.0.1:9/f.iso');
    assert.equal(checkUrl('HTTP://127.0.0.1:9/a/../f.iso?x=1#'), 'http://127.0.0.1:9/f.iso?x=1');
  });

  it('suggests the scheme a URL written without one lacks, and nothing for text that is no host', () => {
    assert.equal(refusal('example.com/file.iso'), 'INVALID_URL: not a URL: example.com/file.iso (with its scheme: https://example.com/file.iso?)');
    assert.equal(refusal('127.0.0.1:8080/x'), 'INVALID_URL: not a URL: 127.0.0.1:8080/x (with its scheme: https://127.0.0.1:8080/x?)');
    assert.equal(refusal('localhost:3000'), 'INVALID_URL: not a URL: localhost:3000 (with its scheme: https://localhost:3000/?)');
    assert.equal(refusal('example.com:8080/x'), 'INVALID_URL: not a URL: example.com:8080/x (with its scheme: https://example.com:8080/x?)');
    assert.equal(refusal('mailto:me@example.com'), 'UNSUPPORTED_SCHEME: unsupported scheme mailto: (only http and https)');
    assert.equal(refusal('notaurl'), 'INVALID_URL: not a URL: notaurl');
    assert.equal(refusal('list.txt'), 'INVALID_URL: not a URL: list.txt');
    assert.equal(refusal('www.example.com'), 'INVALID_URL: not a URL: www.example.com (with its scheme: https://www.example.com/?)');
    assert.equal(refusal('my file.iso'), 'INVALID_URL: not a URL: my file.iso');
    assert.equal(refusal('/home/me/list.txt'), 'INVALID_URL: not a URL: /home/me/list.txt');
    assert.equal(refusal('ftp://127.0.0.1/x'), 'UNSUPPORTED_SCHEME: unsupported scheme ftp: (only http and https)');
  });
});
