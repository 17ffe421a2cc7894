// The command line's plain progress lines (logs, pipes): a download that has all its bytes and is being finished
// says what it is doing, not a speed of 0.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { linesView } from '../../electron/cli/progress';
import type { DownloadSnapshot, FinishingProgress, GlobalStats } from '../../shared/types';

const MIB = 1024 * 1024;

function row(finishing?: FinishingProgress): DownloadSnapshot {
  return {
    id: 7,
    url: 'http://127.0.0.1/big.iso',
    name: 'big.iso',
    folder: '/tmp',
    status: 'active',
    size: 64 * MIB,
    bytesDone: 64 * MIB,
    speed: 0,
    eta: null,
    connections: 0,
    memory: { inFlight: 0, cap: 4 * MIB },
    segments: [],
    error: null,
    priority: 0,
    position: 1,
    ...(finishing ? { finishing } : {}),
  };
}

/** The lines printed for one snapshot of `d`, every snapshot printed. */
function linesFor(d: DownloadSnapshot): string {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const view = linesView(out, out, 0);
  view.onEvent({ type: 'snapshot', downloads: [d], global: {} as GlobalStats });
  view.stop();
  return text;
}

describe('progress lines', () => {
  it('go apart from the results: progress and notes on one stream, each outcome on the other', () => {
    const results = new PassThrough();
    const progress = new PassThrough();
    const text = { results: '', progress: '' };
    results.on('data', (chunk: Buffer) => (text.results += chunk.toString()));
    progress.on('data', (chunk: Buffer) => (text.progress += chunk.toString()));
    const view = linesView(results, progress, 0);
    view.onEvent({ type: 'snapshot', downloads: [{ ...row(), bytesDone: MIB, seamCheck: true }], global: {} as GlobalStats });
    view.onEvent({ type: 'completed', id: 7, name: 'big.iso', path: '/d/big.iso' });
    view.stop();
    assert.equal(text.results, 'completed #7 /d/big.iso\n');
    assert.match(text.progress, /^note #7 big\.iso: .*\nprogress #7 big\.iso 1\.6% 1 MiB/);
  });

  it('say the seam note once for each server, not once a file', () => {
    const progress = new PassThrough();
    let text = '';
    progress.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const view = linesView(new PassThrough(), progress, 60_000);
    const from = (id: number, url: string) => ({ ...row(), id, url, name: `f${id}.bin`, seamCheck: true });
    view.onEvent({ type: 'snapshot', downloads: [from(1, 'http://127.0.0.1:9/a'), from(2, 'http://127.0.0.1:9/b')], global: {} as GlobalStats });
    view.onEvent({ type: 'snapshot', downloads: [from(3, 'http://127.0.0.1:9/c'), from(4, 'http://127.0.0.2:9/d')], global: {} as GlobalStats });
    view.stop();
    assert.deepEqual(text.match(/^note #\d+/gm), ['note #1', 'note #4']);
    assert.match(text, /\(said once for each server\)/);
  });

  it('show the speed while bytes arrive', () => {
    assert.equal(linesFor({ ...row(), bytesDone: 32 * MIB, speed: 2 * MIB }), 'progress #7 big.iso 50.0% 32 MiB 2 MiB/s\n');
  });

  it('say the checksum is being computed, and how far it is', () => {
    assert.equal(linesFor(row({ step: 'checksum', done: 16 * MIB, total: 64 * MIB })), 'progress #7 big.iso 100.0% 64 MiB verifying checksum (25%)\n');
  });

  it('say the seams are being checked, then the file saved', () => {
    assert.equal(linesFor(row({ step: 'seams', done: 2, total: 7 })), 'progress #7 big.iso 100.0% 64 MiB checking seams (2 of 7)\n');
    assert.equal(linesFor(row({ step: 'saving' })), 'progress #7 big.iso 100.0% 64 MiB saving\n');
  });
});
