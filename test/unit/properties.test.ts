import assert from 'node:assert/strict';
import { join, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { nameFromContentDisposition, nameFromUrl, sanitizeFilename } from '../../electron/engine/filename';
import { parseUrlList } from '../../electron/engine/url-list';

const FOLDER = resolve('/downloads/here');
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Strings that lean towards what attackers send: dots, slashes, device names, controls, bidi, long runs. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.array(fc.constantFrom('..', '.', '/', '\\', 'CON', 'nul', 'lpt1', ':', '\u202e', '\u0000', '\n', ' ', 'a', 'é', '%2F', '%00', '.txt'), { maxLength: 40 }).map((a) => a.join('')),
  fc.string({ unit: 'grapheme', minLength: 190, maxLength: 400 }),
);

function assertSafe(name: string): void {
  assert.ok(name.length > 0, 'never empty');
  assert.ok(name !== '.' && name !== '..', 'never a dot name');
  assert.ok(!/[/\\]/.test(name), 'never a path');
  assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(name), 'no control or bidi characters');
  assert.ok(!RESERVED.test(name), `not a device name: ${name}`);
  assert.ok(!/[. ]$/.test(name), 'no trailing dot or space');
  assert.ok(Buffer.byteLength(name) <= 200, 'bounded length');
  const target = resolve(join(FOLDER, name));
  assert.ok(target.startsWith(FOLDER + sep), `stays inside the folder: ${target}`);
}

describe('properties', () => {
  it('sanitizeFilename always yields one safe name inside the folder', () => {
    fc.assert(fc.property(hostile, (raw) => assertSafe(sanitizeFilename(raw))), { numRuns: 3000 });
  });

  it('Content-Disposition never throws and never yields an unsafe name', () => {
    fc.assert(
      fc.property(hostile, fc.constantFrom('plain', 'quoted', 'star', 'raw'), (raw, form) => {
        const header =
          form === 'plain' ? `attachment; filename=${raw}` :
          form === 'quoted' ? `attachment; filename="${raw.replace(/"/g, '')}"` :
          form === 'star' ? `attachment; filename*=UTF-8''${encodeURIComponent(raw)}` : raw;
        const name = nameFromContentDisposition(header);
        if (name !== null) assertSafe(name);
      }),
      { numRuns: 3000 },
    );
  });

  it('names from URLs are always safe', () => {
    fc.assert(fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), hostile, (url, tail) => assertSafe(nameFromUrl(`${url}/${encodeURIComponent(tail)}`))), { numRuns: 2000 });
  });

  it('the list parser never throws, numbers what it reports within the input, and yields only http(s) URLs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(hostile, fc.webUrl(), fc.constant('  out=x'), fc.constant('\tsplit=3'), fc.constant('# c')), { maxLength: 30 }), async (lines) => {
        async function* source() {
          yield* lines;
        }
        for await (const item of parseUrlList(source())) {
          assert.ok(item.line >= 1 && item.line <= lines.length);
          if (item.kind === 'entry') assert.match(item.request.url, /^https?:\/\//);
          else assert.ok(item.message.length > 0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
