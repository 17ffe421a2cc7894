import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { BraidApi } from '../../shared/api';
import { API_SCHEMAS, checkAddRequest } from '../../shared/api-schema';
import { CHECKSUM_ALGORITHMS, CHECKSUM_HEX_LENGTH, parseChecksum as parseSharedChecksum } from '../../shared/checksum';
import { CONNECTIONS, LIST_LIMIT, MAX_BATCH, MAX_HEADERS, MAX_LIST_TEXT, MAX_MIRRORS, PRIORITY } from '../../shared/limits';
import { API_METHODS, bindCommands } from '../../shared/wire';
import { HANDLERS } from '../../electron/engine/api-dispatch';
import { BraidError, dispatch, parseChecksum, parseUrlList } from '../../electron/engine/index';

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

async function refusal(method: unknown, args: unknown): Promise<string> {
  const { api, calls } = recorder();
  try {
    await dispatch(api, method, args);
  } catch (error) {
    assert.ok(error instanceof BraidError, `not a BraidError: ${String(error)}`);
    assert.equal(error.code, 'INVALID_OPTION');
    assert.equal(calls.length, 0, 'nothing reached the engine');
    return error.message;
  }
  assert.fail(`${String(method)}(${JSON.stringify(args)?.slice(0, 80)}) was let through`);
}

const hex = (digits: number) => 'ab'.repeat(digits / 2);

describe('one contract for every face', () => {
  it('has a schema and a dispatch entry for every command, and nothing else', () => {
    const methods = [...API_METHODS].sort();
    assert.equal(methods.length, 18);
    assert.deepEqual(Object.keys(API_SCHEMAS).sort(), methods);
    assert.deepEqual(Object.keys(HANDLERS).sort(), methods);
    for (const m of API_METHODS) assert.equal(typeof HANDLERS[m], 'function', m);
  });

  it('binds every command to the transport of a face, passing name and arguments unchanged', async () => {
    const sent: [string, unknown[]][] = [];
    const commands = bindCommands(async (method, args) => (sent.push([method, args]), method));
    assert.deepEqual(Object.keys(commands).sort(), [...API_METHODS].sort());
    assert.equal(await commands.move(3, 'top'), 'move');
    await commands.getSettings();
    assert.deepEqual(sent, [['move', [3, 'top']], ['getSettings', []]]);
  });

  it('dispatches every command to the engine method of the same name with the checked arguments', async () => {
    const good: { [M in (typeof API_METHODS)[number]]: unknown[] } = {
      add: [[{ url: 'http://a/b' }]],
      preview: [['http://a/b']],
      importList: ['http://a/b\n', { paused: true }],
      pause: [[1]],
      resume: [[1, 2]],
      retry: [[]],
      remove: [[3], { deleteFile: true }],
      refreshLink: [7, 'http://a/new', { startOver: true }],
      catchLink: [7],
      cancelCatch: [7],
      move: [4, 'top'],
      list: [{ status: ['active'], sort: 'name', descending: true }],
      detail: [5],
      open: [6, 'folder'],
      chooseFolder: ['/downloads'],
      browserHost: ['firefox', 'install'],
      getSettings: [],
      setSettings: [{ segments: 4 }],
    };
    const { api, calls } = recorder();
    for (const m of API_METHODS) await dispatch(api, m, good[m]);
    assert.deepEqual(calls.map(([m]) => m), [...API_METHODS]);
    assert.deepEqual(calls.find(([m]) => m === 'refreshLink')![1], [7, 'http://a/new', { startOver: true }]);
    assert.deepEqual(calls.find(([m]) => m === 'catchLink')![1], [7]);
    assert.deepEqual(calls.find(([m]) => m === 'cancelCatch')![1], [7]);
    assert.deepEqual(calls.find(([m]) => m === 'list')![1], [{ status: ['active'], sort: 'name', descending: true, limit: LIST_LIMIT.default }]);
  });
});

describe('payload validation before the engine', () => {
  it('passes well-formed calls through, normalised', async () => {
    const { api, calls } = recorder();
    await dispatch(api, 'add', [[{ url: 'http://a/b', options: { segments: 4, checksum: { algorithm: 'sha-256', hex: 'AB'.repeat(32) } } }]]);
    await dispatch(api, 'list', [{ status: ['active'] }]);
    await dispatch(api, 'list', []);
    await dispatch(api, 'importList', ['http://a/b']);
    assert.equal((calls[0]![1][0] as { options: { checksum: { hex: string } } }[])[0]!.options.checksum.hex, 'ab'.repeat(32));
    assert.deepEqual(calls[1]![1][0], { status: ['active'], limit: 500 }, 'a list is always bounded');
    assert.deepEqual(calls[2]![1][0], { limit: 500 }, 'even when no query is given');
    assert.deepEqual(calls[3]![1], ['http://a/b', {}]);
  });

  const refused: [string, unknown, RegExp][] = [
    ['onEvent', [], /unknown method "onEvent"/],
    ['constructor', [], /unknown method/],
    ['__proto__', [], /unknown method/],
    ['pause', [[0]], /^a download id must be a whole number of at least 1$/],
    ['pause', [[1, '2']], /^id 2 of 2: a download id must be a whole number/],
    ['pause', ['1'], /^ids must be a list of at most 10,000 download ids$/],
    ['pause', [[1], 2], /^pause takes a list of download ids$/],
    ['pause', 'x', /^pause takes a list of download ids$/],
    ['add', [[]], /^add needs a list of 1 to 10,000 downloads$/],
    ['add', [[{ url: 'http://a', options: { segments: 99 } }]], /^connections per download must be a whole number from 1 to 32$/],
    ['add', [[{ url: 'http://a', options: { segments: 2.5 } }]], /^connections per download must be a whole number from 1 to 32$/],
    ['add', [[{ url: 'http://a', extra: 1 }]], /^unknown field "extra" in a download$/],
    ['add', [[{ url: 'http://a', options: { segment: 4 } }]], /^unknown field "segment" in the download options$/],
    ['add', [[{ url: 'x'.repeat(9000) }]], /^the URL must be text of at most 8,192 characters$/],
    ['list', [{ search: 'x'.repeat(3000) }], /^the search must be text of at most 2,048 characters$/],
    ['list', [{ search: 7 }], /^the search must be text of at most 2,048 characters$/],
    ['add', [[{ url: 'http://a', mirrors: Array(MAX_MIRRORS + 1).fill('http://m') }]], /^mirrors must be a list of at most 16 URLs$/],
    ['add', [[{ url: 'http://a', priority: PRIORITY.max + 1 }]], /^the priority must be a whole number from -1000 to 1000$/],
    ['add', [[{ url: 'http://a', paused: 'yes' }]], /^paused must be true or false$/],
    ['add', [[{ url: 'http://a', options: { speedLimit: -1 } }]], /^the speed limit \(bytes per second\) must be a whole number, 0 or more$/],
    ['add', [[{ url: 'http://a', options: { headers: { 'Bad Name': 'x' } } }]], /^"Bad Name" is not a valid header name$/],
    ['add', [[{ url: 'http://a', options: { headers: { 'X-A': 'a\r\nX-B: b' } } }]], /^header "X-A": a header value cannot contain a line break$/],
    ['add', [[{ url: 'http://a', options: { headers: Object.fromEntries(Array.from({ length: MAX_HEADERS + 1 }, (_, i) => [`X-${i}`, 'v'])) } }]], /at most 32/],
    ['add', [[{ url: 'http://a', options: { checksum: { algorithm: 'crc32', hex: 'ab' } } }]], /^the checksum algorithm must be md5, sha-1, sha-256 or sha-512$/],
    ['add', [[{ url: 'http://a', options: { checksum: 'sha-256=ab' } }]], /^the checksum must be \{ algorithm, hex \}$/],
    ['add', [[{ url: 'http://a', options: { checksum: { algorithm: 'md5', hex: hex(32), extra: 1 } } }]], /unknown field "extra" in the checksum/],
    ['importList', ['http://a', { folder: 'relative' }], /^the folder: Write the whole path/],
    ['importList', ['x'.repeat(MAX_LIST_TEXT + 1)], /^the list is longer than 3 MiB/],
    ['importList', ['x', { folder: '/a', recurse: true }], /^unknown field "recurse" in the import options$/],
    ['remove', [[1]], /deleteFile/],
    ['remove', [[1], { deleteFile: 'yes' }], /^deleteFile must be true or false$/],
    ['remove', [[1], { deleteFile: true, also: 1 }], /^unknown field "also" in the options of remove$/],
    ['refreshLink', [1, 'http://a/new', { headers: { 'X-A': 'a\r\nX-B: b' } }], /^header "X-A": a header value cannot contain a line break$/],
    ['refreshLink', [1, 'http://a/new', { cookies: 'a=1' }], /^unknown field "cookies" in the options of refreshLink$/],
    ['catchLink', [0], /^a download id must be a whole number of at least 1$/],
    ['catchLink', [], /^catchLink takes a download id$/],
    ['cancelCatch', ['1'], /^a download id must be a whole number of at least 1$/],
    ['move', [1, 'sideways'], /^the direction must be up, down, top or bottom$/],
    ['open', [1, '/etc/passwd'], /^what to open must be file or folder$/],
    ['detail', [-1], /^a download id must be a whole number of at least 1$/],
    ['list', [{ limit: 1e9 }], /^the page size \(limit\) must be a whole number from 1 to 5000$/],
    ['list', [{ limit: LIST_LIMIT.max + 1 }], /limit/],
    ['list', [{ status: ['active', 'nope'] }], /^status 2 of 2: a status must be queued, active, paused, completed or failed$/],
    ['list', [{ sort: 'url' }], /^sort must be position, name, size, status or added$/],
    ['list', [null], /^the list query must be an object$/],
    ['list', [{ where: '1=1' }], /^unknown field "where" in the list query$/],
    ['getSettings', [1], /^getSettings takes no arguments$/],
    ['setSettings', ['x'], /^settings must be an object$/],
    ['setSettings', [{ segments: 0 }], /^connections per download must be a whole number from 1 to 32$/],
    ['setSettings', [{ maxConcurrent: 65 }], /^downloads at once must be a whole number from 1 to 64$/],
    ['setSettings', [{ memoryBudget: 1 }], /^the memory budget \(bytes\) must be a whole number from 1048576 to 17179869184$/],
    ['setSettings', [{ folder: '   ' }], /^the default folder must be a path$/],
    ['setSettings', [{ colour: 'red' }], /^unknown setting "colour"$/],
  ];
  for (const [method, args, message] of refused) {
    it(`refuses ${method}(${JSON.stringify(args).slice(0, 60)})`, async () => {
      assert.match(await refusal(method, args), message);
    });
  }

  it('accepts the bounds themselves', async () => {
    const { api, calls } = recorder();
    for (const segments of [CONNECTIONS.min, CONNECTIONS.max]) await dispatch(api, 'add', [[{ url: 'http://a', options: { segments } }]]);
    await dispatch(api, 'add', [Array.from({ length: MAX_BATCH }, () => ({ url: 'http://a' }))]);
    await dispatch(api, 'pause', [Array.from({ length: MAX_BATCH }, (_, i) => i + 1)]);
    await dispatch(api, 'list', [{ limit: LIST_LIMIT.max }]);
    assert.equal(calls.length, 5);
    assert.match(await refusal('add', [Array.from({ length: MAX_BATCH + 1 }, () => ({ url: 'http://a' }))]), /1 to 10,000/);
    assert.match(await refusal('pause', [Array.from({ length: MAX_BATCH + 1 }, (_, i) => i + 1)]), /at most 10,000/);
  });

  it('says which download is wrong when many are added, by position and URL, in plain words', async () => {
    const requests = [{ url: 'http://a/1' }, { url: 'http://a/2' }, { url: 'http://a/3', options: { segments: 33 } }];
    const message = await refusal('add', [requests]);
    assert.equal(message, 'download 3 of 3 (http://a/3): connections per download must be a whole number from 1 to 32');
    assert.doesNotMatch(message, /requests|\[|options\.|segments/, 'no code paths in a message for people');
    assert.equal(
      await refusal('add', [[{ url: 'http://a/1' }, { url: 'http://a/2', mirrors: ['http://m/1', 7] }]]),
      'download 2 of 2 (http://a/2), mirror 2 of 2: a mirror URL must be text of at most 8,192 characters',
    );
  });
});

describe('checksums: one rule for the length of each algorithm', () => {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const length = CHECKSUM_HEX_LENGTH[algorithm];
    const says = `${algorithm === 'md5' ? 'an' : 'a'} ${algorithm} checksum is ${length} hex digits`;
    it(`takes a ${algorithm} digest of ${length} hex digits and nothing else, when the download is added`, async () => {
      const { api, calls } = recorder();
      await dispatch(api, 'add', [[{ url: 'http://a', options: { checksum: { algorithm, hex: hex(length) } } }]]);
      assert.equal(calls.length, 1);
      for (const other of Object.values(CHECKSUM_HEX_LENGTH).filter((n) => n !== length)) {
        const wrong = [[{ url: 'http://a', options: { checksum: { algorithm, hex: hex(other) } } }]];
        assert.equal(await refusal('add', wrong), says);
        assert.throws(() => parseChecksum(`${algorithm}=${hex(other)}`), (e: BraidError) => e.code === 'INVALID_OPTION' && e.message === says);
      }
      assert.match(await refusal('add', [[{ url: 'http://a', options: { checksum: { algorithm, hex: 'zz'.repeat(length / 2) } } }]]), /hex digits/);
    });
  }

  it('reads aria2 spellings on the command line and in lists', async () => {
    assert.deepEqual(parseChecksum(`sha256=${'AB'.repeat(32)}`), { algorithm: 'sha-256', hex: hex(64) });
    assert.deepEqual(parseChecksum(`SHA-1=${hex(40)}`), { algorithm: 'sha-1', hex: hex(40) });
    assert.deepEqual(parseSharedChecksum(`md5 = ${hex(32)} `), { algorithm: 'md5', hex: hex(32) });
    assert.throws(() => parseChecksum('crc32=00'), /unknown checksum algorithm "crc32"/);
    assert.throws(() => parseChecksum(hex(64)), /ALGO=HEX/);
    async function* lines() {
      yield 'http://a/x';
      yield `  checksum=sha-256=${hex(32)}`;
    }
    const items = [];
    for await (const item of parseUrlList(lines())) items.push(item);
    assert.deepEqual(items, [{ kind: 'problem', line: 2, message: 'a sha-256 checksum is 64 hex digits: the download is not added, rather than fetched unverified', lost: true, code: 'INVALID_OPTION' }]);
  });

  it('checks a list entry by the same rules as add', () => {
    assert.equal(checkAddRequest({ url: 'http://a', mirrors: Array(17).fill('http://m') }).ok, false);
    assert.deepEqual(checkAddRequest({ url: 'http://a', options: { segments: 3 } }), { ok: true, request: { url: 'http://a', options: { segments: 3 } } });
  });
});

describe('payload validation fuzzed', () => {
  const methods = fc.oneof(fc.constantFrom(...API_METHODS, 'onEvent', 'nope', 'toString', '__proto__', 'hasOwnProperty'), fc.anything());

  it('never throws anything but an INVALID_OPTION BraidError with a message, whatever the payload', async () => {
    const { api } = recorder();
    await fc.assert(
      fc.asyncProperty(methods, fc.anything({ withNullPrototype: true, withObjectString: true, withSparseArray: true }), async (method, args) => {
        try {
          await dispatch(api, method, args);
        } catch (e) {
          assert.ok(e instanceof BraidError, `threw ${String(e)}`);
          assert.equal(e.code, 'INVALID_OPTION');
          assert.ok(e.message.length > 0 && e.message.length < 500, e.message);
          assert.doesNotMatch(e.message, /^Invalid input|expected .* received/, `a message from zod itself: ${e.message}`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses near-miss add payloads without letting them through, and says why in words', async () => {
    const request = fc.record(
      {
        url: fc.oneof(fc.webUrl(), fc.anything()),
        options: fc.record(
          {
            segments: fc.oneof(fc.integer({ min: -5, max: 40 }), fc.double(), fc.string()),
            checksum: fc.record({ algorithm: fc.constantFrom(...CHECKSUM_ALGORITHMS, 'sha256', 'crc'), hex: fc.stringMatching(/^[0-9a-fA-Fx]{0,130}$/) }),
            headers: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['url'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 4 }), async (requests) => {
        const { api, calls } = recorder();
        try {
          await dispatch(api, 'add', [requests]);
        } catch (e) {
          assert.equal((e as BraidError).code, 'INVALID_OPTION');
          // A message may quote the URL it refuses, which can itself look like a path ("[0]").
          const words = requests.reduce((m, r) => (typeof r.url === 'string' && r.url !== '' ? m.split(r.url).join('') : m), (e as Error).message);
          assert.doesNotMatch(words, /Invalid input|\.options|\[\d+\]/, (e as Error).message);
          assert.equal(calls.length, 0);
          return;
        }
        // What got through keeps every rule.
        for (const r of calls[0]![1][0] as { options?: { segments?: number; checksum?: { algorithm: 'md5'; hex: string } } }[]) {
          const s = r.options?.segments;
          if (s !== undefined) assert.ok(Number.isInteger(s) && s >= CONNECTIONS.min && s <= CONNECTIONS.max);
          const c = r.options?.checksum;
          if (c) assert.match(c.hex, new RegExp(`^[0-9a-f]{${CHECKSUM_HEX_LENGTH[c.algorithm]}}$`));
        }
      }),
      { numRuns: 1500 },
    );
  });
});
