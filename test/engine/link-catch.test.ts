// "Catch the next download from the browser": a paused or failed download waits for the browser's next matching
// download, which the extension hands over through `braid browser-host` and the running engine's handoff socket.
// A match (same name, or same size) is proven the same file like a pasted link and becomes the download's link,
// with the browser's cookies for it; it is answered as taken, so the browser cancels its own. Anything else is
// added as usual, and a different file of the same name is refused, so the browser keeps it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { listenForHandoffs, type HandoffServer } from '../../electron/bridge/handoff-server';
import { handOff } from '../../electron/cli/browser/handoff';
import type { BrowserDownload } from '../../shared/browser-bridge';
import type { LinkCatch } from '../../shared/types';
import { catchMatches } from '../../electron/engine/link-catch';
import { assertCompletedWith, makeRig, waitFor, waitForReceived, type Rig } from '../support/harness';
import { listenOnLoopback } from '../support/loopback';
import { TestOrigin } from '../support/origin';

const MiB = 1024 * 1024;

describe('catching the next download from the browser', () => {
  let origin: TestOrigin;
  let rig: Rig;
  let handoffs: HandoffServer;
  const catches: LinkCatch[] = [];

  before(async () => {
    origin = await new TestOrigin().start();
    rig = await makeRig({ overrides: { segments: 4 } });
    rig.engine.onEvent((e) => {
      if (e.type === 'catch') catches.push(e.catch);
    });
    rig.engine.start();
    handoffs = await listenForHandoffs(rig.engine, rig.dbPath);
  });
  after(async () => {
    await handoffs.close();
    await rig.cleanup();
    await origin.close();
  });

  /** Starts a download of `path` (with `cookie`, when given) and pauses it once some of it is on disk. */
  async function pausedPartway(path: string, cookie?: string): Promise<number> {
    const added = (await rig.engine.add([{ url: origin.url(path), options: cookie ? { headers: { Cookie: cookie } } : {} }]))[0]!;
    if (!added.ok) throw new Error(added.error.message);
    await waitForReceived(rig, added.id, 512 * 1024, 20_000, 'some bytes');
    await rig.engine.pause([added.id]);
    assert.equal(rig.repo.get(added.id)!.status, 'paused');
    return added.id;
  }

  /** What the extension sends through `braid browser-host`, to the engine on the rig's database. */
  const fromBrowser = (downloads: BrowserDownload[]) => handOff(downloads, { databasePath: rig.dbPath });
  const rows = () => rig.repo.list({ limit: 1000 }).total;

  it('makes a matching browser download the link of the waiting download, with its cookie, and finishes it byte-identical', async () => {
    const size = 4 * MiB;
    const data = origin.file('/old/c.bin', size, { rate: 1 * MiB, cookie: 'sid=old', noValidators: true });
    const id = await pausedPartway('/old/c.bin', 'sid=old');
    const kept = rig.repo.get(id)!.bytesDone;
    // The fresh link works with the browser's new session only: the old cookie is refused there.
    origin.serve('/new/c.bin', data, { cookie: 'sid=fresh', noValidators: true });
    const armed = await rig.engine.catchLink(id);
    assert.equal(armed.state, 'armed');
    assert.ok(armed.until > Date.now() + 60_000, 'it waits for minutes');
    const before = rows();

    const reply = await fromBrowser([{ url: origin.url('/new/c.bin'), name: 'c.bin', size, cookies: 'sid=fresh', userAgent: 'TestBrowser/1' }]);
    assert.deepEqual(reply, { ok: true, via: 'engine', results: [{ ok: true, id }] }, 'taken: the browser cancels its own');
    assert.equal(rows(), before, 'no new download');
    const refreshed = rig.repo.get(id)!;
    assert.equal(refreshed.url, origin.url('/new/c.bin'));
    assert.equal(refreshed.linkRefresh?.by, 'user');
    assert.deepEqual(refreshed.options.headers, { Cookie: 'sid=fresh', 'User-Agent': 'TestBrowser/1' }, "the browser's headers replace the old ones");
    const used = catches.find((c) => c.state === 'used' && c.id === id);
    assert.ok(used && used.state === 'used' && used.result.proof === 'samples', JSON.stringify(catches));

    await rig.engine.whenSettled([id]);
    const rec = rig.repo.get(id)!;
    await assertCompletedWith(rec, data);
    const asked = origin.requests('/new/c.bin');
    assert.ok(asked.length > 0);
    for (const l of asked) assert.equal(l.headers.cookie, 'sid=fresh', 'every request to the new link carries the new cookie alone');
    assert.ok(asked.every((l) => l.status < 400), 'none refused');
    const got = asked.filter((l) => l.method === 'GET' && l.status === 206).length;
    assert.ok(got > 0 && kept > 0);

    // Used once: the next browser download of the same name is a new download.
    origin.file('/again/c.bin', 10_000);
    const again = await fromBrowser([{ url: origin.url('/again/c.bin'), name: 'c.bin', size: 10_000 }]);
    assert.ok(again.ok && 'results' in again && again.results[0]!.ok && again.results[0]!.id !== id, JSON.stringify(again));
    assert.equal(rows(), before + 1);
  });

  it('adds a browser download that does not match as a new download, and keeps waiting', async () => {
    const data = origin.file('/old/w.bin', 4 * MiB, { rate: 1 * MiB });
    const id = await pausedPartway('/old/w.bin');
    await rig.engine.catchLink(id);
    const before = rows();
    origin.file('/elsewhere/other.bin', 20_000);
    const reply = await fromBrowser([{ url: origin.url('/elsewhere/other.bin'), name: 'other.bin', size: 20_000 }]);
    assert.ok(reply.ok && 'results' in reply && reply.results[0]!.ok, JSON.stringify(reply));
    const otherId = (reply.results[0] as { id: number }).id;
    assert.notEqual(otherId, id);
    assert.equal(rows(), before + 1, 'a new download');
    assert.equal(rig.repo.get(id)!.url, origin.url('/old/w.bin'), 'the waiting download is untouched');
    assert.equal(rig.repo.get(id)!.status, 'paused');
    await rig.engine.whenSettled([otherId]);
    assert.equal(rig.repo.get(otherId)!.status, 'completed');

    // Still armed: a download of the same size (named otherwise by the site) is the one.
    origin.serve('/new/w-renamed.bin', data);
    const taken = await fromBrowser([{ url: origin.url('/new/w-renamed.bin'), name: 'w-renamed.bin', size: 4 * MiB }]);
    assert.deepEqual(taken, { ok: true, via: 'engine', results: [{ ok: true, id }] });
    await rig.engine.whenSettled([id]);
    await assertCompletedWith(rig.repo.get(id)!, data);
  });

  it('refuses a different file of the same name, so the browser keeps it, and changes nothing', async () => {
    const size = 4 * MiB;
    origin.file('/old/d.bin', size, { rate: 1 * MiB, noValidators: true });
    const id = await pausedPartway('/old/d.bin');
    const before = rig.repo.get(id)!;
    const beforeSegments = rig.repo.segments(id);
    const count = rows();
    origin.serve('/new/d.bin', randomBytes(size), { noValidators: true });
    await rig.engine.catchLink(id);

    const reply = await fromBrowser([{ url: origin.url('/new/d.bin'), name: 'd.bin', size, cookies: 'sid=x' }]);
    assert.ok(reply.ok && 'results' in reply, JSON.stringify(reply));
    const [outcome] = reply.results;
    assert.ok(outcome && !outcome.ok);
    assert.match(outcome.reason, new RegExp(`^a different file than download #${id}: its bytes \\d+-\\d+ differ from those on disk$`));
    const after = rig.repo.get(id)!;
    assert.equal(after.url, before.url);
    assert.equal(after.status, 'paused');
    assert.deepEqual(after.options, before.options, 'no cookie of the refused link was kept');
    assert.deepEqual(rig.repo.segments(id), beforeSegments);
    assert.equal(rows(), count, 'nothing added');
    const refused = catches.find((c) => c.state === 'refused' && c.id === id);
    assert.ok(refused && refused.state === 'refused' && refused.error.code === 'CANNOT_RESUME', JSON.stringify(catches));
    await rig.engine.remove([id], { deleteFile: true });
  });

  it('arms only a paused or failed download, one at a time, and can be called off', async () => {
    origin.file('/old/a.bin', 4 * MiB, { rate: 1 * MiB });
    origin.file('/old/b.bin', 4 * MiB, { rate: 1 * MiB });
    const a = await pausedPartway('/old/a.bin');
    const b = await pausedPartway('/old/b.bin');
    await rig.engine.catchLink(a);
    await rig.engine.catchLink(b);
    assert.deepEqual(catches.at(-2), { state: 'cancelled', id: a }, 'arming another calls off the first');
    await rig.engine.cancelCatch(a);
    assert.equal(catches.at(-1)?.state, 'armed', 'calling off one not armed does nothing');
    await rig.engine.cancelCatch(b);
    assert.deepEqual(catches.at(-1), { state: 'cancelled', id: b });
    await rig.engine.remove([a, b], { deleteFile: true });
    const done = rig.repo.list({ status: ['completed'], limit: 1 }).items[0]!;
    await assert.rejects(rig.engine.catchLink(done.id), /is completed: there is nothing left to fetch/);
    await assert.rejects(rig.engine.catchLink(999_999), /there is no download #999999/);
  });
});

describe('a link catch lapsing', () => {
  it('expires after its time with nothing caught', async () => {
    const rig = await makeRig({ timing: { linkCatchMs: 150 } });
    try {
      const seen: LinkCatch[] = [];
      rig.engine.onEvent((e) => e.type === 'catch' && seen.push(e.catch));
      const [added] = await rig.engine.add([{ url: 'http://127.0.0.1:9/never.bin', paused: true }]);
      assert.ok(added?.ok);
      await rig.engine.catchLink(added.id);
      await waitFor(() => seen.length === 2, 5_000, 'the catch to lapse');
      assert.deepEqual(seen[1], { state: 'expired', id: added.id });
    } finally {
      await rig.cleanup();
    }
  });

  it('matches by name (as browsers vary it) or by size when both are known', () => {
    const record = { name: 'Ubuntu.iso', size: 1000, status: 'failed' as const };
    assert.ok(catchMatches(record, { name: 'ubuntu (1).iso' }, null));
    assert.ok(catchMatches(record, { name: 'Ubuntu(2).iso' }, null));
    assert.ok(catchMatches(record, { name: 'download' }, 1000));
    assert.ok(!catchMatches(record, { name: 'download' }, 999));
    assert.ok(!catchMatches(record, {}, null));
    assert.ok(!catchMatches({ ...record, size: null }, { name: 'x' }, 1000));
    assert.ok(!catchMatches({ ...record, status: 'active' }, { name: 'Ubuntu.iso' }, 1000));
  });
});

describe('a second click in the browser while a caught link is proven', () => {
  it('is refused, so the browser keeps it, instead of becoming a second download of the file', async () => {
    const data = randomBytes(4 * MiB);
    // The old link trickles, so the download can be paused partway; the new one answers after 1.5 s.
    const server = createServer((req, res) => {
      const fresh = req.url!.startsWith('/new/');
      const answer = () => {
        const headers = { 'accept-ranges': 'bytes', etag: '"same"' };
        if (req.method === 'HEAD') return void res.writeHead(200, { ...headers, 'content-length': data.length }).end();
        const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        const first = m ? Number(m[1]) : 0;
        const last = m?.[2] ? Number(m[2]) : data.length - 1;
        res.writeHead(206, { ...headers, 'content-length': last - first + 1, 'content-range': `bytes ${first}-${last}/${data.length}` });
        if (fresh) return void res.end(data.subarray(first, last + 1));
        let at = first;
        const timer = setInterval(() => {
          const n = Math.min(last + 1 - at, 64 * 1024);
          if (n <= 0) {
            clearInterval(timer);
            res.end();
            return;
          }
          res.write(data.subarray(at, at + n));
          at += n;
        }, 50);
        res.on('close', () => clearInterval(timer));
      };
      if (fresh) setTimeout(answer, 1500);
      else answer();
    });
    const port = await listenOnLoopback(server);
    const rig = await makeRig({ overrides: { segments: 2 } });
    const events: LinkCatch[] = [];
    rig.engine.onEvent((e) => {
      if (e.type === 'catch') events.push(e.catch);
    });
    rig.engine.start();
    const handoffs = await listenForHandoffs(rig.engine, rig.dbPath);
    try {
      const [added] = await rig.engine.add([{ url: `http://127.0.0.1:${port}/old/f.bin` }]);
      const id = added!.ok ? added!.id : assert.fail(added!.error.message);
      await waitFor(() => (rig.repo.get(id)?.bytesDone ?? 0) > 256 * 1024, 20_000, 'some bytes on disk');
      await rig.engine.pause([id]);
      await rig.engine.catchLink(id);
      const first = handOff([{ url: `http://127.0.0.1:${port}/new/f.bin`, name: 'f.bin', size: data.length }], { databasePath: rig.dbPath });
      await waitFor(() => events.some((e) => e.state === 'checking'), 5_000, 'the first click to be checked');
      const second = await handOff([{ url: `http://127.0.0.1:${port}/new/f.bin?again`, name: 'f.bin', size: data.length }], { databasePath: rig.dbPath });
      assert.ok(second.ok && 'results' in second && !second.results[0]!.ok, `the second click is refused: ${JSON.stringify(second)}`);
      assert.deepEqual(await first, { ok: true, via: 'engine', results: [{ ok: true, id }] });
      assert.deepEqual(events.map((e) => e.state), ['armed', 'checking', 'used']);
      assert.equal(rig.repo.list({ limit: 10 }).total, 1, 'one download of the file');
      await rig.engine.whenSettled([id]);
      await assertCompletedWith(rig.repo.get(id)!, data);
    } finally {
      await handoffs.close();
      await rig.cleanup();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
