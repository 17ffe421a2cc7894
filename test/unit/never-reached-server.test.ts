import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { neverReachedServer, toBraidError } from '../../electron/engine/errors';

const failure = (fields: Record<string, unknown>) => Object.assign(new Error('failed'), fields);

describe('a request that never reached a server', () => {
  it('is a name, an address or a certificate that failed, thrown or wrapped', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
      assert.equal(neverReachedServer(failure({ code })), true, code);
      assert.equal(neverReachedServer(toBraidError(failure({ code }))), true, `${code}, wrapped`);
    }
  });

  it('is a connect deadline, as got names it or as the receive path marks it', () => {
    assert.equal(neverReachedServer(failure({ name: 'TimeoutError', code: 'ETIMEDOUT', event: 'connect' })), true);
    assert.equal(neverReachedServer(failure({ name: 'TimeoutError', code: 'ETIMEDOUT', event: 'secureConnect' })), true);
    assert.equal(neverReachedServer(failure({ code: 'ETIMEDOUT', connecting: true })), true);
  });

  it('is not a server that was reached and then failed: no answer in time, a reset, a malformed answer', () => {
    assert.equal(neverReachedServer(failure({ name: 'TimeoutError', code: 'ETIMEDOUT', event: 'response' })), false);
    assert.equal(neverReachedServer(failure({ code: 'ETIMEDOUT' })), false);
    assert.equal(neverReachedServer(failure({ code: 'ECONNRESET' })), false);
    assert.equal(neverReachedServer(failure({ code: 'HPE_INVALID_CONSTANT' })), false);
    assert.equal(neverReachedServer(new Error('anything')), false);
  });
});
