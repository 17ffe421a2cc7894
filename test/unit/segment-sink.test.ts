import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BufferPool } from '../../electron/engine/buffer-pool';
import { LiveSegment } from '../../electron/engine/live-segment';
import { MemoryBudget } from '../../electron/engine/memory-budget';
import { nodeFileSystem } from '../../electron/engine/part-file';
import { SegmentSink } from '../../electron/engine/segment-sink';

const dir = mkdtempSync(join(tmpdir(), 'braid-sink-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('SegmentSink', () => {
  it('has room for read after read within one socket callback while memory is free, and writes every byte in place', async () => {
    // TLS hands several records to the reader in one callback: a reader told "no room" there pauses its socket,
    // which costs a round of the event loop per buffer.
    const path = join(dir, 'one-callback.part');
    const file = await nodeFileSystem.createExclusive(path);
    const pool = new BufferPool(64, () => 8);
    const account = new MemoryBudget(1024).account(1024);
    const segment = new LiveSegment(0, 1000, 0);
    const sink = new SegmentSink(file, segment, pool, account, new AbortController().signal, 16);
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    for (let at = 0; at < bytes.length; at += 16) {
      assert.equal(sink.hasRoom, true, `no room before the read at ${at}`);
      sink.copy(bytes, at, Math.min(bytes.length, at + 16));
    }
    await sink.finish();
    await file.close();
    assert.deepEqual(readFileSync(path), bytes);
    assert.equal(account.reserved, 0, 'every buffer was given back');
    assert.equal(segment.written, 1000);
  });

  it('takes bytes read into the buffer it lent, and keeps that buffer from others until the socket gives it back', async () => {
    // A paused socket still points at the view it was lent: were the buffer handed to another segment once on
    // disk, the socket's next read would land in that segment's bytes.
    const path = join(dir, 'lent.part');
    const file = await nodeFileSystem.createExclusive(path);
    const pool = new BufferPool(64, () => 8);
    const account = new MemoryBudget(1024).account(1024);
    const sink = new SegmentSink(file, new LiveSegment(0, 64, 0), pool, account, new AbortController().signal, 16);
    const bytes = Buffer.from(Array.from({ length: 64 }, (_, i) => i));
    const view = sink.lend(64)!;
    assert.equal(view.length, 64);
    bytes.copy(view); // the socket's read
    sink.copy(view, 0, 64);
    await sink.finish();
    assert.deepEqual(readFileSync(path), bytes);
    assert.equal(account.reserved, 64, 'its memory stays counted while lent, though it is on disk');
    assert.notEqual(pool.get().buffer, view.buffer, 'not handed out while lent');
    sink.giveBack();
    assert.equal(account.reserved, 0, 'its memory is given back with it');
    assert.equal(pool.get().buffer, view.buffer, 'back in the pool once given back');
    await file.close();
  });

  it('lends one place at a time: a second socket gets none until the first gives its loan back', async () => {
    // A request given up on (a stall, a retry) may leave a socket that reads into its loan until it closes.
    const file = await nodeFileSystem.createExclusive(join(dir, 'one-loan.part'));
    const pool = new BufferPool(64, () => 8);
    const sink = new SegmentSink(file, new LiveSegment(0, 256, 0), pool, new MemoryBudget(1024).account(1024), new AbortController().signal, 16);
    assert.ok(sink.lend(32));
    assert.equal(sink.lend(32), null, 'no second loan while the first is out');
    sink.giveBack();
    assert.ok(sink.lend(32), 'a loan again once it came back');
    sink.giveBack();
    await sink.finish();
    await file.close();
  });

  it('says there is no room when the account is full, and calls back once a write gives memory back', async () => {
    const path = join(dir, 'full.part');
    const file = await nodeFileSystem.createExclusive(path);
    const pool = new BufferPool(64, () => 8);
    const account = new MemoryBudget(128).account(128);
    const sink = new SegmentSink(file, new LiveSegment(0, 256, 0), pool, account, new AbortController().signal, 64);
    const bytes = Buffer.alloc(256, 7);
    sink.copy(bytes, 0, 64);
    sink.copy(bytes, 64, 128);
    assert.equal(sink.hasRoom, false, 'two buffers in flight fill the account');
    await new Promise<void>((resolve) => sink.whenRoom(resolve));
    assert.equal(sink.hasRoom, true);
    sink.copy(bytes, 128, 192);
    await new Promise<void>((resolve) => sink.whenRoom(resolve));
    sink.copy(bytes, 192, 256);
    await sink.finish();
    await file.close();
    assert.deepEqual(readFileSync(path), bytes);
    assert.equal(account.reserved, 0);
  });
});
