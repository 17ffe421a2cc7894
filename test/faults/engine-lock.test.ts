import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { acquireEngineLock } from '../../electron/store/engine-lock';
import { run } from '../support/cli';
import { tempDir } from '../support/harness';

const CONTENDER = join(import.meta.dirname, '../support/lock-contender.ts');
const CONTENDERS = 6;
const ROUNDS = 60;
const ROUND_MS = 60;

/** The pid of a process that has exited: what a crashed Braid leaves in its lock. */
async function deadPid(): Promise<number> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

describe('engine lock', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('braid-lock-');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes over a lock whose owner died, and refuses while the owner lives', async () => {
    const db = join(dir, 'one.db');
    writeFileSync(`${db}.lock`, String(await deadPid()));
    const lock = acquireEngineLock(db);
    assert.equal(readFileSync(`${db}.lock`, 'utf8'), String(process.pid));
    lock.release();
    assert.ok(!existsSync(`${db}.lock`));
  });

  it(`lets exactly one of ${CONTENDERS} processes starting at once take over a stale lock, round after round`, async () => {
    const dead = await deadPid();
    const race = join(dir, 'race');
    mkdirSync(race);
    for (let round = 0; round < ROUNDS; round++) writeFileSync(join(race, `race-${round}.db.lock`), String(dead));
    const running = Array.from({ length: CONTENDERS }, () =>
      run(process.execPath, ['--import', 'tsx', CONTENDER, race, String(ROUNDS), String(ROUND_MS)]),
    );
    // tsx takes a while to start, longer on a busy machine: the rounds' instants are handed out once all are ready.
    const readyBy = Date.now() + 120_000;
    while (readdirSync(race).filter((f) => f.startsWith('ready-')).length < CONTENDERS && Date.now() < readyBy) await delay(20);
    writeFileSync(join(race, 'go'), String(Date.now() + 200));
    const runs = await Promise.all(running);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const lines = runs.flatMap((r) => r.stdout.trim().split('\n'));
    for (let round = 0; round < ROUNDS; round++) {
      const answers = lines.filter((l) => l.startsWith(`${round} `)).map((l) => l.slice(String(round).length + 1));
      assert.equal(answers.length, CONTENDERS, `round ${round}: ${answers.join(', ')}`);
      assert.equal(answers.filter((a) => a === 'held').length, 1, `round ${round}: ${answers.join(', ')}`);
      assert.ok(answers.every((a) => a === 'held' || a === 'locked DB_LOCKED'), `round ${round}: ${answers.join(', ')}`);
      assert.ok(!existsSync(join(race, `race-${round}.db.lock`)), 'the winner released it');
    }
    assert.deepEqual(readdirSync(race).filter((f) => f.includes('.lock')), [], 'no takeover or temporary files left');
  });
});
