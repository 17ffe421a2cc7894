import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nameFromContentDisposition, nameFromUrl, sanitizeFilename, uniqueName } from '../../electron/engine/filename';

describe('sanitizeFilename', () => {
  const cases: [string, string][] = [
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'etc_passwd'],
    ['..\\..\\Windows\\win.ini', 'Windows_win.ini'],
    ['/abs/path.txt', 'abs_path.txt'],
    ['AC/DC - Live.mp3', 'AC_DC - Live.mp3'],
    ['../../escape.sh', 'escape.sh'],
    ['..', 'download'],
    ['', 'download'],
    ['name.  ', 'name'],
    ['CON', '_CON'],
    ['lpt1.txt', '_lpt1.txt'],
    ['a:b*c?.txt', 'a_b_c_.txt'],
    ['evil\u202Etxt.exe', 'eviltxt.exe'],
    ['tab\there\u0000.bin', 'tabhere.bin'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => assert.equal(sanitizeFilename(input), expected));
  }
  it('bounds the length and keeps the extension', () => {
    const name = sanitizeFilename(`${'é'.repeat(300)}.tar`);
    assert.ok(Buffer.byteLength(name) <= 200);
    assert.ok(name.endsWith('.tar'));
  });
});

describe('names from servers and URLs', () => {
  it('prefers filename* and decodes it', () => {
    assert.equal(nameFromContentDisposition(`attachment; filename="plain.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt`), 'résumé.txt');
    assert.equal(nameFromContentDisposition(`attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20%2F%20x.pdf`), 'résumé _ x.pdf');
  });
  it('reads a plain filename of UTF-8 bytes as UTF-8, and keeps one that is not', () => {
    const bytes = (name: string) => Buffer.from(name).toString('latin1');
    assert.equal(nameFromContentDisposition(`attachment; filename="${bytes('имя.bin')}"`), 'имя.bin');
    assert.equal(nameFromContentDisposition(`attachment; filename="${bytes('日本語.zip')}"`), '日本語.zip');
    assert.equal(nameFromContentDisposition('attachment; filename="caf\u00e9.txt"'), 'café.txt');
    assert.equal(nameFromContentDisposition(`attachment; filename=${bytes('résumé.pdf')}`), 'résumé.pdf');
    assert.equal(nameFromContentDisposition("attachment; filename*=ISO-8859-1''%C3%A9.txt"), '\u00c3\u00a9.txt', 'filename* keeps its own charset');
  });
  it('survives malformed headers', () => {
    assert.equal(nameFromContentDisposition('attachment; filename=a b.txt; broken="'), 'a b.txt');
    assert.equal(nameFromContentDisposition('inline'), null);
  });
  it('takes the decoded last path segment of a URL', () => {
    assert.equal(nameFromUrl('http://h/a/b/file%20name.iso?x=1'), 'file name.iso');
    assert.equal(nameFromUrl('http://h/'), 'download');
    assert.equal(nameFromUrl('http://h/%E0%A4%A.bin'), '%E0%A4%A.bin');
  });
  it('never makes a hidden file of a name a server offers', () => {
    assert.equal(nameFromContentDisposition('attachment; filename=".bashrc"'), 'bashrc');
    assert.equal(nameFromContentDisposition('attachment; filename="...ssh"'), 'ssh');
    assert.equal(nameFromContentDisposition('attachment; filename=".con"'), '_con');
    assert.equal(nameFromUrl('http://h/.profile'), 'profile');
    assert.equal(nameFromUrl('http://h/.%20.txt'), 'txt');
    assert.equal(nameFromContentDisposition('attachment; filename=". .bashrc"'), 'bashrc');
    assert.equal(nameFromUrl('http://h/...'), 'download');
    assert.equal(sanitizeFilename('.config'), '.config', 'a name the user gives keeps its dot');
  });
});

describe('uniqueName', () => {
  it('numbers clashes before the extension', () => {
    const taken = new Set(['a.txt', 'a (1).txt']);
    assert.equal(uniqueName('a.txt', (n) => taken.has(n)), 'a (2).txt');
    assert.equal(uniqueName('b', () => false), 'b');
  });
});
