import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_OPTIONS, parseAddOptions } from '../../shared/add-options';
import { errorHover, withoutCommand } from '../../shared/status-words';
import { joinProxy, noProxyProblem, splitProxy } from '../../shared/proxy-form';

describe('engine messages in the window', () => {
  it('drops the command line a message ends with, and keeps the rest', () => {
    assert.equal(
      withoutCommand('the link expired (the server answered 403); give the download a fresh link to go on from the bytes on disk: braid refresh 12 URL'),
      'the link expired (the server answered 403)',
    );
    assert.equal(
      withoutCommand("the new link gives a different file: its file has 10 bytes, the download's 20. Nothing was changed; to download the new link's file from the start instead: braid refresh 3 URL --start-over"),
      "the new link gives a different file: its file has 10 bytes, the download's 20. Nothing was changed",
    );
    assert.equal(withoutCommand('the server answered 404 Not Found'), 'the server answered 404 Not Found');
    assert.doesNotMatch(errorHover({ code: 'LINK_EXPIRED', message: 'the link expired (the server answered 410); give it a fresh link: braid refresh 1 URL' }), /braid refresh/);
  });
});

describe('the proxy in the Settings dialog', () => {
  it('splits the password out of the URL, and puts it back, encoded', () => {
    assert.deepEqual(splitProxy('http://alice:s3cret%40x@proxy:3128'), { address: 'http://alice@proxy:3128', password: 's3cret@x' });
    assert.deepEqual(splitProxy('socks5://bob:pw@127.0.0.1:1080'), { address: 'socks5://bob@127.0.0.1:1080', password: 'pw' });
    assert.deepEqual(splitProxy(''), { address: '', password: '' });
    assert.deepEqual(joinProxy('http://alice@proxy:3128', 's3cret@x'), { proxy: 'http://alice:s3cret%40x@proxy:3128' });
    assert.deepEqual(joinProxy(' socks5://bob:typed@h:1080 ', 'other'), { proxy: 'socks5://bob:typed@h:1080' }, 'a password typed in the address wins');
    assert.deepEqual(joinProxy('', ''), { proxy: '' });
  });

  it('refuses in plain words', () => {
    assert.deepEqual(joinProxy('ftp://proxy:21', ''), { error: 'A proxy address starts with http://, https:// or socks5://.' });
    assert.deepEqual(joinProxy('http//proxy', ''), { error: 'Enter a proxy address such as http://proxy:3128 or socks5://proxy:1080.' });
    assert.deepEqual(joinProxy('http://proxy:3128/path', ''), { error: 'A proxy URL is only scheme, credentials, host and port.' });
    assert.ok('error' in joinProxy('http://proxy:3128', 'pw'), 'a password with no user name');
    assert.ok('error' in joinProxy('', 'pw'), 'a password with no proxy');
  });

  it('checks the hosts reached directly', () => {
    assert.equal(noProxyProblem('localhost, .example.com,10.0.0.1 intranet:8080, [::1]:80, *'), null);
    assert.equal(noProxyProblem(''), null);
    assert.match(noProxyProblem('localhost, http://intranet/')!, /^“http:\/\/intranet\/” is not a host/);
  });
});

describe('connections per server and the proxy of downloads being added', () => {
  const fields = { ...NO_OPTIONS };
  it('takes a number, a proxy, or direct for none at all', () => {
    assert.deepEqual(parseAddOptions({ ...fields, perServer: '2', proxy: 'socks5://u:p@127.0.0.1:1080' }).options, { maxPerServer: 2, proxy: 'socks5://u:p@127.0.0.1:1080' });
    assert.deepEqual(parseAddOptions({ ...fields, proxy: ' Direct ' }).options, { proxy: '' });
    assert.deepEqual(parseAddOptions(fields).options, {}, 'empty: as in Settings');
  });

  it('says what is wrong with each', () => {
    const bad = parseAddOptions({ ...fields, perServer: '33', proxy: 'ftp://p:21' });
    assert.equal(bad.errors.perServer, 'Use a whole number from 1 to 32.');
    assert.equal(bad.errors.proxy, 'A proxy address starts with http://, https:// or socks5://.');
    assert.deepEqual(bad.options, {});
  });
});
