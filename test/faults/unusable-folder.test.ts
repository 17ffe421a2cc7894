import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DownloadRecord } from '../../shared/types';
import { assertCompletedWith, makeRig, runDownloads, type Rig } from '../support/harness';
import { TestOrigin } from '../support/origin';

/** Downloads into `folder`, failing the test if the download has not settled within `ms`. */
async function downloadInto(rig: Rig, url: string, folder: string, ms = 10_000): Promise<DownloadRecord> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms)));
  try {
    const [rec] = await Promise.race([runDownloads(rig, [{ url, folder }]), late]);
    return rec!;
  } finally {
    clearTimeout(timer);
  }
}

describe('a download folder that cannot be used', () => {
  let origin: TestOrigin;
  before(async () => {
    origin = await new TestOrigin().start();
  });
  after(async () => {
    await origin.close();
  });

  it('makes missing folders, several levels deep', async () => {
    const data = origin.file('/deep.bin', 100_000);
    const rig = await makeRig();
    try {
      const rec = await downloadInto(rig, origin.url('/deep.bin'), join(rig.dir, 'a', 'b', 'c'));
      await assertCompletedWith(rec, data);
    } finally {
      await rig.cleanup();
    }
  });

  it('fails at once where a folder cannot be made though its parent exists (/proc)', { skip: !existsSync('/proc/self') && 'no /proc here' }, async () => {
    origin.file('/proc.bin', 1000);
    const rig = await makeRig();
    try {
      const rec = await downloadInto(rig, origin.url('/proc.bin'), '/proc/braid-cannot-be-made/inside');
      assert.equal(rec.status, 'failed');
      assert.equal(rec.error?.code, 'FILE_ERROR', rec.error?.message);
      assert.equal(rec.error!.message, 'cannot make the folder /proc/braid-cannot-be-made: this place does not take new folders');
    } finally {
      await rig.cleanup();
    }
  });

  it('says so when the folder is a file', async () => {
    origin.file('/onfile.bin', 1000);
    const rig = await makeRig();
    try {
      const notFolder = join(rig.dir, 'a-file');
      await writeFile(notFolder, 'not a folder');
      const rec = await downloadInto(rig, origin.url('/onfile.bin'), notFolder);
      assert.equal(rec.status, 'failed');
      assert.equal(rec.error?.code, 'FILE_ERROR');
      assert.match(rec.error!.message, /it is a file, not a folder/);
      // A folder under that file: the path runs through a file.
      const under = await downloadInto(rig, origin.url('/onfile.bin'), join(notFolder, 'sub'));
      assert.equal(under.error?.code, 'FILE_ERROR');
      assert.equal(under.error?.message, `cannot make the folder ${join(notFolder, 'sub')}: a part of its path is a file, not a folder`);
    } finally {
      await rm(join(rig.dir, 'a-file'), { force: true });
      await rig.cleanup();
    }
  });
});
