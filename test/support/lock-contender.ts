// One process racing for engine locks: says it is ready, waits for the instant the test hands out once every
// contender is ready, then for each round waits until that round's instant, tries once on the round's database
// and prints `ROUND held` or `ROUND locked CODE`. Locks it got are kept until every contender is through.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { acquireEngineLock } from '../../electron/store/engine-lock';

const held: { release(): void }[] = [];
const [dir, rounds, roundMs] = process.argv.slice(2);
writeFileSync(`${dir}/ready-${process.pid}`, '');
// Starting can take seconds on a busy machine: the race begins only when all contenders are there.
const waitUntil = Date.now() + 120_000;
while (!existsSync(`${dir}/go`)) {
  if (Date.now() > waitUntil) throw new Error('no start instant was handed out');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
}
const startAt = readFileSync(`${dir}/go`, 'utf8');
const spinUntil = (t: number) => {
  while (Date.now() < t) {
    /* spin: every contender starts the round at the same instant */
  }
};
for (let round = 0; round < Number(rounds); round++) {
  const begin = Number(startAt) + round * Number(roundMs);
  spinUntil(begin);
  try {
    held.push(acquireEngineLock(`${dir}/race-${round}.db`));
    process.stdout.write(`${round} held\n`);
  } catch (error) {
    process.stdout.write(`${round} locked ${(error as { code?: string }).code}\n`);
  }
}
// Locks are kept until every contender is through every round: a contender starved of CPU for seconds reaches a
// round late, and must find that round's winner still holding it, not a lock released meanwhile.
writeFileSync(`${dir}/finished-${process.pid}`, '');
const count = (prefix: string) => readdirSync(dir!).filter((f) => f.startsWith(prefix)).length;
const releaseBy = Date.now() + 120_000;
while (count('finished-') < count('ready-') && Date.now() < releaseBy) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
for (const lock of held) lock.release();
