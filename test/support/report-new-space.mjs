// Preloaded into a child process (`node --import`) to print the largest size V8's young generation reached.
import { writeSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

let largest = 0;
const sample = () => {
  const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  largest = Math.max(largest, young?.space_size ?? 0);
};
setInterval(sample, 5).unref();
process.on('exit', () => {
  sample();
  writeSync(2, `\nnew-space-max-kib=${Math.round(largest / 1024)}\n`);
});
