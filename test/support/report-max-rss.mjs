// Preloaded into a child process (`node --import`) to print its peak resident memory when it exits.
import { writeSync } from 'node:fs';

process.on('exit', () => writeSync(2, `\nmax-rss-kib=${process.resourceUsage().maxRSS}\n`));
