import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BufferPool } from '../../electron/engine/buffer-pool';
import { allocatesPageAligned, inStepWithFile, PAGE, PageAlignedSlabs, takesDirectWrites, wholePages } from '../../electron/engine/direct-io';
import { LiveSegment } from '../../electron/engine/live-segment';
import { MemoryBudget } from '../../electron/engine/memory-budget';
import { nodeFileSystem } from '../../electron/engine/part-file';
import type { PartFileHandle } from '../../electron/engine/ports';
import { SegmentSink } from '../../electron/engine/segment-sink';
import { cachedBytes, directWritesIn } from '../support/page-cache';
import { watchingWrites } from '../support/changed-handle';

const dir = mkdtempSync(join(tmpdir(), 'braid-direct-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `real`, with each write's place, length and whether its memory is in step with the file recorded. */
function recordingWrites(real: PartFileHandle): { file: PartFileHandle; writes: { position: number; length: number; inStep: boolean }[] } {
  const writes: { position: number; length: number; inStep: boolean }[] = [];
  const file = watchingWrites(real, (buffer, length, position) => {
    writes.push({ position, length, inStep: inStepWithFile(buffer, position) });
  });
  return { file, writes };
}

/** A segment sink over a new `.part` at `name`, its writes recorded, with 256 KiB buffers and a 4 MiB cap. */
async function recordedSink(name: string, segment: LiveSegment) {
  const path = join(dir, name);
  const real = await nodeFileSystem.createExclusive(path);
  const { file, writes } = recordingWrites(real);
  const account = new MemoryBudget(4 * 1024 * 1024).account(4 * 1024 * 1024);
  const sink = new SegmentSink(file, segment, new BufferPool(256 * 1024, () => 8), account, new AbortController().signal, 64 * 1024);
  return { path, real, writes, account, sink };
}

function pattern(length: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 7 + seed) % 251));
}

describe('direct writes', () => {
  it('divide a write into the bytes before the first whole page, the whole pages, and the rest', () => {
    assert.deepEqual(wholePages(0, 3 * PAGE), { head: 0, pages: 3 * PAGE });
    assert.deepEqual(wholePages(1000, 3 * PAGE), { head: PAGE - 1000, pages: 2 * PAGE });
    assert.deepEqual(wholePages(1000, 100), { head: 100, pages: 0 });
    assert.deepEqual(wholePages(PAGE - 1, PAGE + 1), { head: 1, pages: PAGE });
    assert.deepEqual(wholePages(5 * PAGE, PAGE - 1), { head: 0, pages: 0 });
  });

  it('cut page-aligned buffers from shared slabs, and know which views of them sit in step with a file position', () => {
    const slabs = new PageAlignedSlabs(256 * 1024);
    const buffers = Array.from({ length: 70 }, () => slabs.take()!);
    assert.ok(buffers.every((b) => b.length === 256 * 1024 && inStepWithFile(b, 0)));
    const memories = new Set(buffers.map((b) => b.buffer));
    // One WebAssembly memory per buffer would reserve 10 GiB of address space each: 70 buffers, 2 slabs.
    assert.equal(memories.size, 2);
    const places = new Set(buffers.map((b) => `${[...memories].indexOf(b.buffer)}:${b.byteOffset}`));
    assert.equal(places.size, 70, 'two buffers share memory');
    assert.ok(buffers.every((b) => b.byteOffset % (256 * 1024) === 0));
    const first = buffers[0]!;
    assert.equal(inStepWithFile(first.subarray(1000), 5 * PAGE + 1000), true);
    assert.equal(inStepWithFile(first.subarray(1000), 5 * PAGE), false);
    assert.equal(inStepWithFile(Buffer.allocUnsafeSlow(64 * 1024), 0), false, 'memory of unknown alignment');
    assert.equal(new PageAlignedSlabs(1000).take(), null, 'a size that is not whole WebAssembly pages');
    assert.equal(allocatesPageAligned(1000), false);
  });

  it('come from a pool that keeps as many idle buffers as the budget of the moment allows', () => {
    // A budget raised while the engine runs: buffers thrown away and cut anew would each pin a slab.
    let limit = 1;
    const pool = new BufferPool(64 * 1024, () => limit);
    const [a, b] = [pool.get(), pool.get()];
    pool.put(a);
    pool.put(b);
    assert.equal(pool.allocatedBytes, 64 * 1024, 'one idle buffer kept');
    limit = 3;
    const [c, d, e] = [pool.get(), pool.get(), pool.get()];
    assert.equal(c, a, 'the idle one is handed out again');
    pool.put(c);
    pool.put(d);
    pool.put(e);
    assert.equal(pool.allocatedBytes, 3 * 64 * 1024);
  });

  it('go only to local disks\' file systems: not tmpfs, NFS or FUSE', () => {
    assert.equal(takesDirectWrites(0xef53), true, 'ext4');
    assert.equal(takesDirectWrites(0x58465342), true, 'XFS');
    for (const [type, name] of [[0x01021994, 'tmpfs'], [0x6969, 'NFS'], [0x65735546, 'FUSE'], [0xff534d42, 'CIFS']] as const) {
      assert.equal(takesDirectWrites(type), false, name);
    }
  });

  it('put whole pages on the disk past the page cache, and every byte where it belongs', { skip: !directWritesIn(dir) && 'no direct writes or fincore here' }, async () => {
    const path = join(dir, 'part.bin');
    const file = await nodeFileSystem.createExclusive(path);
    const slabs = new PageAlignedSlabs(1024 * 1024);
    const aligned = slabs.take()!;
    const first = pattern(600_000, 1);
    first.copy(aligned, 1000);
    // In step with the file: all but the first and last page skip the cache.
    await file.write(aligned.subarray(1000, 1000 + first.length), first.length, 1000);
    // Out of step: through the page cache, as every write was before.
    const second = pattern(50_000, 2);
    await file.write(second, second.length, 700_000);
    await file.close();
    // Before the file is read back, which brings it all into the cache.
    const cached = cachedBytes(path);
    assert.ok(cached <= 2 * PAGE + Math.ceil(50_000 / PAGE + 1) * PAGE, `${cached} bytes in the page cache`);
    const bytes = readFileSync(path);
    assert.deepEqual(bytes.subarray(1000, 601_000), first);
    assert.deepEqual(bytes.subarray(700_000, 750_000), second);
  });

  it('go into disk blocks allocated ahead for a large file, so no write has to allocate them', { skip: !directWritesIn(dir) && 'no direct writes or fincore here' }, async () => {
    const path = join(dir, 'reserved.part');
    const file = await nodeFileSystem.createExclusive(path);
    const size = 96 * 1024 * 1024;
    await file.truncate(size);
    assert.ok(statSync(path).blocks * 512 < 1024 * 1024, 'a sparse file before');
    await file.reserve(size);
    await file.close();
    const s = statSync(path);
    assert.equal(s.size, size, 'the size is left as it was');
    assert.ok(s.blocks * 512 >= size, `${s.blocks * 512} bytes of blocks allocated for ${size}`);
  });

  it('carry the part-page after a buffer written early into the next, so every write but the last is whole pages', async () => {
    // Checkpoints and waits for memory write a buffer before it is full: its last part-page would otherwise go
    // through the page cache, and the next buffer start mid-page, three writes instead of one.
    const bytes = pattern(2 * 1024 * 1024 + 777, 5);
    const segment = new LiveSegment(0, bytes.length, 0);
    const { path, real, writes, account, sink } = await recordedSink('carry.part', segment);
    let flushes = 0;
    for (let at = 0, n = 0; at < bytes.length; n++) {
      const size = 1000 + ((n * 7919) % 60_000);
      await sink.room();
      sink.copy(bytes, at, Math.min(bytes.length, at + size));
      at += size;
      if (n % 5 === 4) {
        sink.flushIdle();
        flushes++;
      }
    }
    await sink.finish();
    await real.close();
    assert.deepEqual(readFileSync(path), bytes);
    assert.ok(flushes >= 10 && writes.length >= flushes, `${writes.length} writes, ${flushes} early`);
    const last = writes.pop()!;
    for (const w of writes) assert.ok(w.position % PAGE === 0 && w.length % PAGE === 0, `a write of ${w.length} at ${w.position} is not whole pages`);
    assert.equal(last.position + last.length, bytes.length);
    assert.equal(segment.written, bytes.length);
    assert.equal(account.inFlight, 0, 'the carried bytes were written and let go');
  });

  it('gather a segment that starts mid-page so that every buffer after its first is whole pages in step with the file', async () => {
    const start = 12_345;
    const bytes = pattern(1024 * 1024, 3);
    const segment = new LiveSegment(start, start + bytes.length, 0);
    const { path, real, writes, sink } = await recordedSink('sink.part', segment);
    for (let at = 0; at < bytes.length; at += 64 * 1024) {
      await sink.room();
      sink.copy(bytes, at, Math.min(bytes.length, at + 64 * 1024));
    }
    await sink.finish();
    await real.close();
    assert.deepEqual(readFileSync(path).subarray(start), bytes);
    assert.ok(writes.length >= 4, `${writes.length} writes`);
    assert.ok(writes.every((w) => w.inStep), 'a buffer out of step with the file');
    for (const w of writes.slice(1)) assert.equal(w.position % PAGE, 0, `a buffer starts at ${w.position}, mid-page`);
  });
});
