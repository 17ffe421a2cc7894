import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import stringWidth from 'string-width';
import { fitLine, type BarText } from '../../electron/cli/progress-bars';

const text: BarText = {
  name: 'ubuntu-24.04.1-desktop-amd64-with-a-long-name.iso',
  progress: 0.42,
  done: '2.45 GiB',
  size: '5.83 GiB',
  state: '  48.2 MiB/s eta 1m12s',
  conns: 8,
};

describe('a progress bar line in the terminal width', () => {
  it('never reaches the last column, at any width, and says the percentage and the speed wherever they fit', () => {
    for (let width = 20; width <= 240; width++) {
      const line = fitLine(text, width);
      assert.ok(line.length < width, `${width} columns: ${line.length} (${line})`);
      if (width < 30) continue;
      assert.match(line, /42%/, `${width}: ${line}`);
      assert.ok(line.includes('48.2 MiB/s eta 1m12s'), `${width}: ${line}`);
    }
  });

  it('gives an 80-column terminal the name, the sizes, a bar and the connections', () => {
    const line = fitLine(text, 80);
    assert.ok(line.startsWith('ubuntu-24.04'), line);
    assert.match(line, /2\.45 GiB\/5\.83 GiB/);
    assert.match(line, /\u2588+\u2591+/);
    assert.match(line, / 8c$/);
  });

  it('keeps the columns of several bars in line, whatever their names', () => {
    const a = fitLine({ ...text, name: 'a.bin' }, 120);
    const b = fitLine(text, 120);
    assert.equal(a.indexOf('42%'), b.indexOf('42%'));
  });

  it('counts a wide name in terminal columns, not characters', () => {
    const wide = { ...text, name: '東京の夜景ドキュメンタリー完全版ディレクターズカット.mkv' };
    for (const width of [50, 80, 120]) {
      const line = fitLine(wide, width);
      assert.ok(stringWidth(line) < width, `${width} columns: ${stringWidth(line)} (${line})`);
      assert.equal(line.indexOf('42%') >= 0, true, line);
    }
    const latin = fitLine(text, 120);
    const cjk = fitLine(wide, 120);
    assert.equal(stringWidth(cjk.slice(0, cjk.indexOf(' 42%'))), stringWidth(latin.slice(0, latin.indexOf(' 42%'))), 'the columns line up');
  });

  it('keeps the speed on the line for a name whose letters carry their accents apart (NFD), and cuts between letters', () => {
    const decomposed = { ...text, name: 'Cafe\u0301 de\u0301ja\u0300 vu \u2014 re\u0301sume\u0301 '.repeat(4) };
    for (const width of [50, 80, 120]) {
      const line = fitLine(decomposed, width);
      assert.ok(stringWidth(line) < width, `${width}: ${line}`);
      assert.ok(line.includes('48.2 MiB/s eta 1m12s'), `${width}: ${line}`);
      const shown = line.slice(0, line.indexOf('\u2026')).normalize('NFC');
      assert.ok(decomposed.name.normalize('NFC').startsWith(shown), `no accent cut from its letter: ${shown}`);
    }
  });

  it('drops the bar and the sizes before the name on a narrow terminal', () => {
    for (const width of [40, 50]) {
      const line = fitLine(text, width);
      assert.ok(line.startsWith('ubuntu'), line);
      assert.doesNotMatch(line, /\u2588|GiB\//, line);
    }
  });
});
