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
