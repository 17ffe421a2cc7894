import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { BraidApi } from '../../shared/api';
import { dispatch } from '../../electron/engine/api-dispatch';

/** Records what reached the engine; a real engine is not needed to check what is let through. */
function recorder() {
  const calls: [string, unknown[]][] = [];
  const api = new Proxy({} as BraidApi, {
    get: (_t, method: string) => async (...args: unknown[]) => {
      calls.push([method, args]);
      return method === 'add' ? [] : null;
    },
  });
  return { api, calls };
}

describe('payload validation before the engine', () => {
  it('passes well-formed calls through', async () => {
    const { api, calls } = recorder();
    await dispatch(api, 'add', [[{ url: 'http://a/b', options: { segments: 4, checksum: { algorithm: 'sha-256', hex: 'AB'.repeat(32) } } }]]);
    await dispatch(api, 'pause', [[1, 2]]);
    await dispatch(api, 'remove', [[3], { deleteFile: true }]);
    await dispatch(api, 'list', [{ status: ['active'] }]);
    assert.deepEqual(calls.map(([m]) => m), ['add', 'pause', 'remove', 'list']);
    assert.deepEqual((calls[0]![1][0] as { options: { checksum: { hex: string } } }[])[0]!.options.checksum.hex, 'ab'.repeat(32));
    assert.deepEqual(calls[3]![1][0], { status: ['active'], limit: 500 }, 'a list is always bounded');
  });

  const refused: [string, unknown, RegExp][] = [
    ['onEvent', [], /unknown method/],
    ['constructor', [], /unknown method/],
    ['pause', [[0]], /ids\[0\]/],
    ['pause', [['1']], /ids\[0\]/],
    ['pause', ['1'], /ids must be a list/],
    ['add', [[]], /requests must be a list of 1/],
    ['add', [[{ url: 'http://a', options: { segments: 99 } }]], /segments/],
    ['add', [[{ url: 'http://a', extra: 1 }]], /unknown field "extra"/],
    ['add', [[{ url: 'x'.repeat(9000) }]], /url must be a string/],
    ['remove', [[1]], /deleteFile/],
    ['move', [1, 'sideways'], /direction/],
    ['list', [{ limit: 1e9 }], /limit/],
    ['setSettings', ['x'], /settings must be an object/],
  ];
  for (const [method, args, message] of refused) {
    it(`refuses ${method}(${JSON.stringify(args).slice(0, 40)})`, async () => {
      const { api, calls } = recorder();
      await assert.rejects(dispatch(api, method, args), (e: Error & { code?: string }) => e.code === 'INVALID_OPTION' && message.test(e.message));
      assert.equal(calls.length, 0, 'nothing reached the engine');
    });
  }

  it('never lets a malformed payload through and never throws anything but a clear error (fuzzed)', async () => {
    const { api } = recorder();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('add', 'pause', 'remove', 'move', 'list', 'detail', 'setSettings', 'nope'), fc.anything(), async (method, args) => {
        try {
          await dispatch(api, method, args);
        } catch (e) {
          assert.equal((e as { code?: string }).code, 'INVALID_OPTION');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
