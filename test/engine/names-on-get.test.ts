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
