import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { categoryOf, displayName, type FileCategory } from '../../shared/file-category';
import { join } from 'node:path';
import { makeRig } from '../support/harness';

describe('the sidebar categories and the search', () => {
  it('pages only the downloads of one file type, by the same rule the renderer uses', async () => {
    const rig = await makeRig();
    try {
      const urls = ['movie.MKV', 'song.mp3', 'backup.tar.gz', 'paper.pdf', 'setup.exe', 'notes', 'page.html', 'clip.mp4'].map((n) => `http://127.0.0.1:9/files/${n}`);
      await rig.engine.add(urls.map((url) => ({ url, paused: true })));
      const names = async (category: FileCategory) =>
        (await rig.engine.list({ category })).items.map((d) => displayName(d));
      assert.deepEqual(await names('video'), ['movie.MKV', 'clip.mp4']);
      assert.deepEqual(await names('audio'), ['song.mp3']);
      assert.deepEqual(await names('archives'), ['backup.tar.gz']);
      assert.deepEqual(await names('documents'), ['paper.pdf']);
      assert.deepEqual(await names('programs'), ['setup.exe']);
      assert.deepEqual(await names('other'), ['notes', 'page.html']);
      for (const url of urls) {
        const name = displayName({ name: null, url });
        assert.ok((await names(categoryOf(name))).includes(name), `${name} is listed under ${categoryOf(name)}`);
      }
      const page = await rig.engine.list({ category: 'video', status: ['paused'], limit: 1 });
      assert.equal(page.total, 2);
      assert.equal(page.items.length, 1);
    } finally {
      await rig.cleanup();
    }
  });

  it('finds downloads by a piece of their name or URL, letters of either case alike, % and _ as themselves', async () => {
    const rig = await makeRig();
    try {
      const urls = ['Holiday-Video.mkv', 'holiday_photos.zip', 'report%202024.pdf', 'other.iso'].map((n) => `http://127.0.0.1:9/files/${n}`);
      const added = await rig.engine.add([...urls.map((url) => ({ url, paused: true })), { url: 'http://cdn.127.0.0.1.nip.test/get?id=7', paused: true }]);
      assert.ok(added.every((r) => r.ok));
      // The server named the last one when it answered.
      rig.repo.update((added[4] as { id: number }).id, { name: 'named-by-server.bin' });
      const found = async (search: string, more: { status?: ['paused' | 'completed'] } = {}) =>
        (await rig.engine.list({ search, ...more })).items.map((d) => displayName(d));
      assert.deepEqual(await found('HOLIDAY'), ['Holiday-Video.mkv', 'holiday_photos.zip']);
      assert.deepEqual(await found('_'), ['holiday_photos.zip'], '_ is not any one character');
      assert.deepEqual(await found('%20'), ['report 2024.pdf'], '% is not any text');
      assert.deepEqual(await found('nip.test/get'), ['named-by-server.bin'], 'the URL counts as well as the name');
      assert.deepEqual(await found('Named-By'), ['named-by-server.bin']);
      assert.deepEqual(await found('holiday', { status: ['completed'] }), []);
      assert.equal((await rig.engine.list({ search: 'holiday', limit: 1 })).total, 2);
      assert.deepEqual(await found('nothing like it'), []);
      // As the row shows them: a nameless row by its URL's last part decoded, and letters beyond ASCII folded too.
      assert.deepEqual(await found('report 2024'), ['report 2024.pdf']);
      const more = await rig.engine.add([{ url: 'http://127.0.0.1:9/files/%C3%9Cber-Plan.pdf', paused: true }, { url: 'http://127.0.0.1:9/x?id=8', paused: true }]);
      rig.repo.update((more[1] as { id: number }).id, { name: 'ÉTÉ-2024.mkv' });
      assert.deepEqual(await found('über-plan'), ['Über-Plan.pdf']);
      assert.deepEqual(await found('été'), ['ÉTÉ-2024.mkv']);
      assert.deepEqual(await found('ÉTÉ-2'), ['ÉTÉ-2024.mkv']);
      // An empty name asked for (a list's `out=` with nothing after it) is no name: the row shows the URL's.
      await rig.engine.add([{ url: 'http://127.0.0.1:9/files/caf%C3%A9-menu.pdf', name: '', paused: true }]);
      assert.deepEqual(await found('café-menu'), ['café-menu.pdf']);
    } finally {
      await rig.cleanup();
    }
  });

  it('shows, sorts, files and finds a waiting download by the name it was added with, before the server names it', async () => {
    const rig = await makeRig();
    try {
      // As the browser extension adds them: the page's name for a URL whose path says nothing of the file.
      const added = await rig.engine.add([
        { url: 'http://127.0.0.1:9/get?id=1', name: 'zeta-talk.mp4', paused: true },
        { url: 'http://127.0.0.1:9/get?id=2', name: 'alpha-notes.pdf', paused: true },
        { url: 'http://127.0.0.1:9/files/middle.iso', paused: true },
      ]);
      assert.ok(added.every((r) => r.ok));
      const shown = async (query: Parameters<typeof rig.engine.list>[0]) => (await rig.engine.list(query)).items.map((d) => displayName(d));
      assert.deepEqual(await shown({ sort: 'name' }), ['alpha-notes.pdf', 'middle.iso', 'zeta-talk.mp4']);
      assert.deepEqual(await shown({ category: 'video' }), ['zeta-talk.mp4']);
      assert.deepEqual(await shown({ search: 'NOTES' }), ['alpha-notes.pdf']);
    } finally {
      await rig.cleanup();
    }
  });

  it('shows a download by its URL\'s last segment until the server names it, never the whole URL', () => {
    assert.equal(displayName({ name: null, url: 'http://127.0.0.1:18080/slow/big%20file.iso?x=1' }), 'big file.iso');
    assert.equal(displayName({ name: null, url: 'http://127.0.0.1:18080/' }), '127.0.0.1');
    assert.equal(displayName({ name: 'server.iso', url: 'http://h/x' }), 'server.iso');
  });
  it('sends a file type to its own folder when the request names none, and refuses a type that does not exist', async () => {
    const rig = await makeRig();
    try {
      const videos = join(rig.dir, 'Videos');
      const settings = await rig.engine.setSettings({ categoryFolders: { video: videos, audio: '' } });
      assert.deepEqual(settings.categoryFolders, { video: videos }, "'' sends a type back to the default folder");
      const own = join(rig.dir, 'chosen');
      const added = await rig.engine.add([
        { url: 'http://127.0.0.1:9/a/film.mkv', paused: true },
        { url: 'http://127.0.0.1:9/a/film2.mkv', folder: own, paused: true },
        { url: 'http://127.0.0.1:9/a/download.php?id=3', name: 'talk.mp4', paused: true },
        { url: 'http://127.0.0.1:9/a/paper.pdf', paused: true },
      ]);
      const folders = added.map((r) => (r.ok ? rig.repo.get(r.id)!.folder : null));
      const { folder } = await rig.engine.getSettings();
      assert.deepEqual(folders, [videos, own, videos, folder]);
      await assert.rejects(rig.engine.setSettings({ categoryFolders: { films: videos } as never }), /no file type called "films"/);
    } finally {
      await rig.cleanup();
    }
  });
});
