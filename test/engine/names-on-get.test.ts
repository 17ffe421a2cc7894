// The file's name comes from the first answer that gives one: HEAD, or the GET when HEAD has no
// Content-Disposition or is refused; `name` (-o, out=) still wins. A name that comes with the first segment's
// GET renames the `.part` (never over anything there); a refused HEAD leaves it to the probe's GET, before the
// `.part` exists.
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertCompletedWith, makeRig, runDownloads, type Rig } from '../support/harness';
import { TestOrigin } from '../support/origin';

describe('names sent only on GET', () => {
  let origin: TestOrigin;
  let rig: Rig;
  before(async () => {
    origin = await new TestOrigin().start();
    rig = await makeRig();
  });
  after(async () => {
    await rig.cleanup();
    await origin.close();
  });

  it('takes the name from the GET when HEAD carries no Content-Disposition', async () => {
    const data = origin.file('/get-only', 4 * 1024 * 1024, { contentDisposition: 'attachment; filename="report 2026.pdf"', dispositionOnGetOnly: true });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/get-only') }]);
    assert.equal(rec!.name, 'report 2026.pdf');
    await assertCompletedWith(rec!, data);
    const files = await readdir(rec!.folder);
    assert.ok(!files.includes('get-only.part') && !files.includes('get-only'), `no file under the URL's name: ${files.join(', ')}`);
  });

  it('reads a plain filename sent as UTF-8 bytes as UTF-8, from HEAD and from GET alike', async () => {
    // The header goes out byte for byte: a latin1 string of the name's UTF-8 bytes, as such servers send it.
    const raw = (name: string) => `attachment; filename="${Buffer.from(name).toString('latin1')}"`;
    const fromHead = origin.file('/utf8-head', 200_000, { contentDisposition: raw('имя файла — é.bin') });
    const fromGet = origin.file('/utf8-get', 200_000, { contentDisposition: raw('другой файл.bin'), dispositionOnGetOnly: true });
    const latin1 = origin.file('/latin1', 1000, { contentDisposition: 'attachment; filename="caf\u00e9.txt"' });
    const [head, get, plain] = await runDownloads(rig, [{ url: origin.url('/utf8-head') }, { url: origin.url('/utf8-get') }, { url: origin.url('/latin1') }]);
    assert.equal(head!.name, 'имя файла — é.bin');
    assert.equal(get!.name, 'другой файл.bin');
    assert.equal(plain!.name, 'café.txt', 'a latin1 name that is no UTF-8 stays latin1');
    await assertCompletedWith(head!, fromHead);
    await assertCompletedWith(get!, fromGet);
    await assertCompletedWith(plain!, latin1);
  });

  it('gives the name from GET a free one when a file already has it, and never touches that file', async () => {
    const folder = join(rig.dir, 'files');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'taken.txt'), 'mine');
    const data = origin.file('/taken', 300_000, { contentDisposition: 'attachment; filename="taken.txt"', dispositionOnGetOnly: true });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/taken') }]);
    assert.equal(rec!.name, 'taken (1).txt');
    await assertCompletedWith(rec!, data);
    const files = await readdir(folder);
    assert.ok(files.includes('taken.txt'));
    assert.ok(!files.some((f) => f.startsWith('taken') && f.endsWith('.part')), files.join(', '));
  });

  for (const status of [405, 403]) {
    it(`takes the name from the GET when HEAD is refused with ${status}`, async () => {
      const path = `/head-${status}`;
      const data = origin.file(path, 300_000, { contentDisposition: `attachment; filename="refused-${status}.iso"`, headStatus: status });
      const [rec] = await runDownloads(rig, [{ url: origin.url(path) }]);
      assert.equal(rec!.name, `refused-${status}.iso`);
      await assertCompletedWith(rec!, data);
    });
  }

  it('sanitises a name that came on GET like any other', async () => {
    const data = origin.file('/evil', 5000, { contentDisposition: 'attachment; filename="../../escape.sh"', dispositionOnGetOnly: true });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/evil') }]);
    assert.equal(rec!.name, 'escape.sh');
    await assertCompletedWith(rec!, data);
  });

  it('keeps the name asked for over the one GET gives', async () => {
    const data = origin.file('/asked', 300_000, { contentDisposition: 'attachment; filename="server.bin"', dispositionOnGetOnly: true });
    const [rec] = await runDownloads(rig, [{ url: origin.url('/asked'), name: 'mine.bin' }]);
    assert.equal(rec!.name, 'mine.bin');
    await assertCompletedWith(rec!, data);
    assert.ok(!(await readdir(rec!.folder)).includes('server.bin'));
  });

  it('falls back to the URL when neither answer names the file, leaving no stray file', async () => {
    const data = origin.file('/plain.bin', 300_000);
    const [rec] = await runDownloads(rig, [{ url: origin.url('/plain.bin') }]);
    assert.equal(rec!.name, 'plain.bin');
    await assertCompletedWith(rec!, data);
    const files = await readdir(rec!.folder);
    assert.ok(!files.some((f) => f.endsWith('.part')), files.join(', '));
    assert.ok(files.includes('plain.bin'));
    assert.equal(join(rec!.folder, rec!.name!), join(rig.dir, 'files', 'plain.bin'));
  });
});
