// Preloaded into a child process (`node --require`) to print its peak resident memory when it exits.
const { writeSync } = require('node:fs');
process.on('exit', () => writeSync(2, `\nmax-rss-kib=${process.resourceUsage().maxRSS}\n`));
