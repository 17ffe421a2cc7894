import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostLimits, isRefusal, type HostSlot } from '../../electron/engine/host-limits';
import type { Clock, LearnedHostLimit } from '../../electron/engine/ports';

/** The store's two calls over a map, and a wall clock the test moves. */
function setup(stored: LearnedHostLimit[] = [], caps = { perServer: 16, total: 128 }) {
  const rows = new Map(stored.map((r) => [r.host, r]));
  let time = 1_000_000;
  const clock = { now: () => time, wallTime: () => time } as Clock;
  const limits = new HostLimits({
    store: {
      loadHostLimits: () => [...rows.values()],
      saveHostLimit: (host, limit) => (limit ? rows.set(host, { host, ...limit }) : rows.delete(host)),
    },
    clock,
    caps: () => caps,
    stepUpAfterMs: 60_000,
    learn: true,
  });
  return { limits, rows, pass: (ms: number) => (time += ms) };
}

async function slots(limits: HostLimits, host: string, n: number): Promise<HostSlot[]> {
  const signal = new AbortController().signal;
  return Promise.all(Array.from({ length: n }, () => limits.acquire(host, signal)));
}

describe('learned connection limits', () => {
  it('steps down 8 → 4 → 2 while two connections work, never below them, and remembers the limit', async () => {
    const { limits, rows } = setup();
    const open = await slots(limits, 'a.test', 8);
    open[0]!.receiving();
    open[1]!.receiving();
    assert.equal(open[2]!.refused(), true);
    assert.equal(rows.get('a.test')?.connections, 4);
    assert.equal(open[3]!.refused(), true);
    assert.equal(rows.get('a.test')?.connections, 2);
    assert.equal(open[4]!.refused(), true);
    assert.equal(rows.get('a.test')?.connections, 2, 'the two that work are kept');
    assert.deepEqual(limits.describe('a.test'), { host: 'a.test', connections: 2 });
    for (const slot of open) slot.release();
    // The next connections wait beyond the learned two.
    const next = await slots(limits, 'a.test', 2);
    let third = false;
    const waiting = limits.acquire('a.test', new AbortController().signal).then((s) => ((third = true), s));
    await new Promise((r) => setImmediate(r));
    assert.equal(third, false);
    next[0]!.release();
    (await waiting).release();
    next[1]!.release();
  });

  it('counts the connections that worked together lately, not only those receiving at the instant of a refusal', async () => {
    const { limits, rows } = setup();
    const [a, b, c, d] = await slots(limits, 'd.test', 4);
    a!.receiving();
    b!.receiving();
    b!.requesting(); // b's next request: its answer is not read yet
    assert.equal(c!.refused(), true);
    assert.equal(d!.refused(), true);
    assert.equal(rows.get('d.test')?.connections, 2, 'two worked a moment ago: the limit stays 2, not 1');
    for (const slot of [a, b, c, d]) slot!.release();
  });

  it('raises a limit learned too low when more connections than it are answered at once (an answer read after the refusals)', async () => {
    const { limits, rows } = setup();
    const open = await slots(limits, 'e.test', 8);
    open[0]!.receiving();
    // The server took two connections, but only one answer has been read when the refusals of the others come.
    for (const slot of open.slice(2, 5)) slot.refused();
    assert.equal(rows.get('e.test')?.connections, 1);
    open[1]!.receiving();
    assert.equal(rows.get('e.test')?.connections, 2, 'two answered at once: the server allows two');
    assert.deepEqual(limits.describe('e.test'), { host: 'e.test', connections: 2 });
    for (const slot of open) slot.release();
  });

  it('asks a download to give a connection back while the next in line is another holding at least two fewer, until they are even', async () => {
    const { limits } = setup([], { perServer: 4, total: 128 });
    const signal = new AbortController().signal;
    const a = await Promise.all(Array.from({ length: 4 }, () => limits.acquire('s.test', signal, 1)));
    assert.equal(limits.overShare('s.test', 1), false, 'nobody waits');
    // First in line is a connection of the same download: one given back would go to it.
    const own = limits.acquire('s.test', signal, 1);
    const b = [limits.acquire('s.test', signal, 2), limits.acquire('s.test', signal, 2)];
    assert.equal(limits.overShare('s.test', 1), false);
    a[0]!.release(); // to download 1's own waiter
    assert.equal(limits.overShare('s.test', 1), true, 'download 2 is next, with none');
    assert.equal(limits.overShare('s.test', 2), false);
    a[1]!.release(); // to download 2: three against one, and download 2 still waits
    assert.equal(limits.overShare('s.test', 1), true);
    a[2]!.release(); // two and two: even
    assert.equal(limits.overShare('s.test', 1), false);
    assert.equal(limits.overShare('s.test', 2), false);
    for (const slot of [a[3]!, await own, ...(await Promise.all(b))]) slot.release();
  });

  it('gives nothing back to a download that waits for the cap over every server, not for this one', async () => {
    const { limits } = setup([], { perServer: 4, total: 3 });
    const signal = new AbortController().signal;
    const a = await Promise.all(Array.from({ length: 3 }, () => limits.acquire('s.test', signal, 1)));
    const b = limits.acquire('s.test', signal, 2);
    assert.equal(limits.overShare('s.test', 1), false);
    a[0]!.release();
    (await b).release();
    for (const slot of a.slice(1)) slot.release();
  });

  it('counts connections the server answered lately though their answers never overlapped (small segments, a busy machine)', async () => {
    const { limits, rows, pass } = setup();
    const open = await slots(limits, 'e.test', 8);
    open[0]!.receiving();
    open[0]!.requesting(); // its next segment's answer is not read yet
    pass(1000);
    open[1]!.receiving();
    for (const slot of open.slice(2, 5)) assert.equal(slot.refused(), true);
    assert.equal(rows.get('e.test')?.connections, 2, 'both connections the server answered are kept, not 1');
    pass(6000);
    open[1]!.requesting();
    open[1]!.receiving();
    assert.equal(open[5]!.refused(), true);
    assert.equal(rows.get('e.test')?.connections, 1, 'an answer longer ago than the window no longer counts');
    for (const slot of open) slot.release();
  });

  it('takes one reset for the network, a second one soon after for a limit', async () => {
    const { limits, rows } = setup();
    const [a, b, c] = await slots(limits, 'e.test', 3);
    a!.receiving();
    assert.equal(b!.refused('reset'), false);
    assert.equal(rows.size, 0);
    b!.requesting();
    assert.equal(c!.refused('reset'), true);
    assert.equal(rows.get('e.test')?.connections, 2);
    for (const slot of [a, b, c]) slot!.release();
  });

  it('does not learn from a refusal when no other connection works (the server is just busy)', async () => {
    const { limits, rows } = setup();
    const [only] = await slots(limits, 'b.test', 1);
    assert.equal(only!.refused(), false);
    assert.equal(rows.size, 0);
    only!.release();
  });

  it('starts from the stored limit and tries one step more once it has held a while', async () => {
    const { limits, rows, pass } = setup([{ host: 'c.test', connections: 2, learnedAt: 1_000_000 }]);
    const two = await slots(limits, 'c.test', 2);
    const signal = new AbortController().signal;
    let got = false;
    const third = limits.acquire('c.test', signal).then((s) => ((got = true), s));
    await new Promise((r) => setImmediate(r));
    assert.equal(got, false, 'two at once, as learned');
    pass(60_000);
    two[0]!.release(); // a slot given back serves the waiting one; the next asks one step more
    (await third).release();
    const more = await slots(limits, 'c.test', 2);
    assert.equal(rows.get('c.test')?.connections, 4);
    for (const s of [...more, two[1]!]) s.release();
  });

  it('takes 503 and 429 without Retry-After and resets before an answer as refusals, nothing else', () => {
    assert.equal(isRefusal(null, { status: 503, retryAfter: false }), true);
    assert.equal(isRefusal(null, { status: 429, retryAfter: false }), true);
    assert.equal(isRefusal(null, { status: 503, retryAfter: true }), false);
    assert.equal(isRefusal(null, { status: 500, retryAfter: false }), false);
    assert.equal(isRefusal({ code: 'ECONNRESET' }, null), true);
    assert.equal(isRefusal({ code: 'ETIMEDOUT' }, null), false);
  });
});
