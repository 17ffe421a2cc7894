import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DownloadStatus } from '../../shared/types';
import { canTransition, checkTransition, statusAfterStop } from '../../electron/engine/download-status';

const ALL: DownloadStatus[] = ['queued', 'active', 'paused', 'completed', 'failed'];

describe('download status transitions', () => {
  it('allows exactly the changes of the table', () => {
    const allowed = ALL.flatMap((from) => ALL.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`));
    assert.deepEqual(allowed.sort(), [
      'active→completed', 'active→failed', 'active→paused', 'active→queued',
      'failed→queued', 'paused→queued',
      'queued→active', 'queued→failed', 'queued→paused',
    ].sort());
  });

  it('calls any other change an INTERNAL error', () => {
    assert.throws(() => checkTransition(7, 'completed', 'queued'), (e: { code?: string; message?: string }) => e.code === 'INTERNAL' && /#7 cannot go from completed to queued/.test(e.message ?? ''));
    assert.throws(() => checkTransition(7, 'paused', 'active'), { code: 'INTERNAL' });
    assert.doesNotThrow(() => checkTransition(7, 'queued', 'active'));
  });

  it('keeps why a download stopped: a user pause stays paused, a shutdown resumes on the next start', () => {
    assert.equal(statusAfterStop('user'), 'paused');
    assert.equal(statusAfterStop('shutdown'), 'queued');
  });
});
