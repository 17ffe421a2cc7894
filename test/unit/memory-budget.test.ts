import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBudget } from '../../electron/engine/memory-budget';

const tick = () => new Promise((r) => setImmediate(r));

describe('MemoryBudget', () => {
  it('makes a reader wait at its cap and serves it when memory comes back', async () => {
    const budget = new MemoryBudget(100);
    const account = budget.account(20);
    const signal = new AbortController().signal;
    await account.reserve(10, signal);
    await account.reserve(10, signal);
    let granted = false;
    const third = account.reserve(10, signal).then(() => (granted = true));
    await tick();
    assert.equal(granted, false, 'over the cap it waits');
    account.release(10);
    await third;
    assert.equal(account.reserved, 20);
    assert.equal(budget.reserved, 20);
  });

  it('shares the global budget between accounts, first come first served', async () => {
    const budget = new MemoryBudget(20);
    const a = budget.account(20);
    const b = budget.account(20);
    const signal = new AbortController().signal;
    await a.reserve(20, signal);
    const order: string[] = [];
    const waitB = b.reserve(10, signal).then(() => order.push('b'));
    const waitA = a.reserve(10, signal).then(() => order.push('a'));
    await tick();
    assert.deepEqual(order, []);
    a.release(10);
    await tick();
    a.release(10);
    await Promise.all([waitA, waitB]);
    assert.equal(budget.reserved, 20);
    assert.ok(budget.reserved <= budget.limit);
    assert.deepEqual(order.sort(), ['a', 'b']);
  });

  it('drops a waiter whose download is stopped', async () => {
    const budget = new MemoryBudget(10);
    const account = budget.account(10);
    await account.reserve(10, new AbortController().signal);
    const stop = new AbortController();
    const waiting = account.reserve(10, stop.signal);
    stop.abort(new Error('paused'));
    await assert.rejects(waiting, /paused/);
    account.release(10);
    assert.equal(account.reserved, 0, 'the aborted waiter got nothing');
  });
});

describe('MemoryBudget fairness', () => {
  it('serves a waiting download in turn when the caps add up to more than the budget and the disk is slow', async () => {
    // Two downloads of two buffers each, one global budget of two buffers: the first holds all of it and always
    // has another connection waiting. Whenever the disk frees one of its buffers, the other download must get a
    // turn, not the one that just freed memory.
    const budget = new MemoryBudget(20);
    const a = budget.account(20);
    const b = budget.account(20);
    const signal = new AbortController().signal;
    await a.reserve(10, signal);
    await a.reserve(10, signal);
    let aWaiting = a.reserve(10, signal);
    let bGranted = false;
    const bWaiting = b.reserve(10, signal).then(() => (bGranted = true));
    for (let round = 0; round < 10 && !bGranted; round++) {
      a.release(10); // the disk wrote one of A's buffers
      await tick();
      await Promise.race([aWaiting, bWaiting]);
      if (!bGranted) aWaiting = a.reserve(10, signal); // A's connection got its buffer and another one asks
      else void aWaiting;
    }
    assert.ok(bGranted, 'the second download waited while the first refilled every freed buffer');
    assert.ok(budget.reserved <= budget.limit);
  });

  it('does not let a download with no waiting reader take memory a waiting one is queued for', async () => {
    const budget = new MemoryBudget(30);
    const a = budget.account(30);
    const b = budget.account(30);
    const c = budget.account(30);
    const signal = new AbortController().signal;
    await a.reserve(10, signal);
    await a.reserve(10, signal);
    await a.reserve(10, signal);
    const order: string[] = [];
    const waitB = b.reserve(10, signal).then(() => order.push('b'));
    await tick();
    const waitC = c.reserve(10, signal).then(() => order.push('c'));
    a.release(10);
    await tick();
    a.release(10);
    await Promise.all([waitB, waitC]);
    assert.deepEqual(order, ['b', 'c'], 'first come, first served across downloads');
  });
});

describe('MemoryAccount.reserveNow', () => {
  it('takes free memory at once, and none over the cap or ahead of a download queued for the budget', async () => {
    const budget = new MemoryBudget(30);
    const a = budget.account(20);
    const b = budget.account(30);
    const signal = new AbortController().signal;
    assert.equal(a.reserveNow(10), true);
    assert.equal(a.reserveNow(10), true);
    assert.equal(a.reserveNow(10), false, 'over its own cap');
    assert.equal(a.reserved, 20);
    await b.reserve(10, signal);
    const queued = b.reserve(20, signal);
    a.release(10);
    assert.equal(budget.reserved, 20, 'b waits for 20 and 10 are free');
    assert.equal(a.reserveNow(10), false, 'b waited first and is served first');
    a.release(10);
    await queued;
    assert.equal(b.reserved, 30);
    assert.equal(a.reserved, 0);
    assert.equal(budget.reserved, 30);
  });
});
