// `npm start` rebuilds better-sqlite3 for Electron's ABI; the tests run under Node. Rebuild for Node only
// when the installed binary does not load here (a no-op otherwise).
import { execSync, spawnSync } from 'node:child_process';

const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { encoding: 'utf8' });
if (probe.status !== 0) {
  if (!/NODE_MODULE_VERSION|was compiled against a different/.test(probe.stderr)) {
    process.stderr.write(probe.stderr);
    process.exit(1);
  }
  console.log('better-sqlite3 was built for Electron; rebuilding it for Node…');
  execSync('npm rebuild better-sqlite3', { stdio: 'inherit' });
}
