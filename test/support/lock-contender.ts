// One process racing for engine locks: for each round, waits until that round's instant, tries once on the
// round's database and prints `ROUND held` or `ROUND locked CODE`. Locks it got are kept until every round is
// over, so a contender that starts late still finds the winner alive.
import { acquireEngineLock } from '../../electron/store/engine-lock';

const held: { release(): void }[] = [];
const [dir, startAt, rounds, roundMs] = process.argv.slice(2);
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
spinUntil(Number(startAt) + Number(rounds) * Number(roundMs) + 1000);
for (const lock of held) lock.release();
