import assert from 'node:assert/strict';
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeRig, runDownloads, tempDir, waitFor } from '../support/harness';
import { sha256, TestOrigin } from '../support/origin';

const MIB = 1024 * 1024;

describe('links planted in the download folder', () => {
  let origin: TestOrigin;
  let outside: string;
  let victim: string;
  before(async () => {
    origin = await new TestOrigin().start();
    outside = await tempDir('braid-outside-');
    victim = join(outside, 'victim.txt');
  });
  after(async () => {
    await origin.close();
    await rm(outside, { recursive: true, force: true });
  });

  it('never writes through a link at the final or the .part name, dangling or not; takes the next free name', async () => {
    await writeFile(victim, 'keep me');
    const data = origin.file('/plant.bin', MIB);
    const rig = await makeRig();
    const folder = join(rig.dir, 'files');
    await mkdir(folder, { recursive: true });
    await symlink(victim, join(folder, 'plant.bin'));
    await symlink(join(outside, 'nowhere.bin'), join(folder, 'plant.bin.part'));
    await symlink(join(outside, 'nowhere-1.bin'), join(folder, 'plant (1).bin'));
    const [rec] = await runDownloads(rig, [{ url: origin.url('/plant.bin') }]);
    assert.equal(rec!.status, 'completed', JSON.stringify(rec!.error));
    assert.equal(rec!.name, 'plant (2).bin');
    assert.equal(sha256(await readFile(join(folder, 'plant (2).bin'))), sha256(data));
    assert.equal(await readFile(victim, 'utf8'), 'keep me');
    assert.deepEqual(readdirSync(outside), ['victim.txt'], 'nothing created where the dangling links point');
    for (const link of ['plant.bin', 'plant.bin.part', 'plant (1).bin']) assert.ok(lstatSync(join(folder, link)).isSymbolicLink(), `${link} left alone`);
    await rig.cleanup();
  });

  it('refuses to resume into a .part that was swapped for a link while paused', async () => {
    await writeFile(victim, 'keep me');
    origin.file('/swap.bin', 8 * MIB, { rate: 2 * MIB });
    const rig = await makeRig({ overrides: { segments: 2 } });
    const [added] = await rig.engine.add([{ url: origin.url('/swap.bin') }]);
    const id = added!.ok ? added!.id : assert.fail();
    rig.engine.start();
    await waitFor(() => (rig.repo.get(id)?.bytesDone ?? 0) > 256 * 1024, 10_000, 'some bytes on disk');
    await rig.engine.pause([id]);
    const part = join(rig.dir, 'files', 'swap.bin.part');
    await rm(part);
    await symlink(victim, part);
    await rig.engine.resume([id]);
    await rig.engine.whenSettled([id]);
    const rec = rig.repo.get(id)!;
    console.log(`# .part swapped for a link: ${rec.status}: ${rec.error?.message}`);
    assert.equal(rec.status, 'failed');
    assert.equal(rec.error?.code, 'FILE_ERROR');
    assert.match(rec.error!.message, /link was planted/);
    assert.equal(await readFile(victim, 'utf8'), 'keep me');
    assert.equal(readlinkSync(part), victim);
    await rig.cleanup();
  });
});
