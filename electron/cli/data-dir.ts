import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the state database lives by default: the platform's per-user data folder (BRAID_DB overrides). */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env['BRAID_DB']) return env['BRAID_DB'];
  const home = homedir();
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'Braid', 'braid.db');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Braid', 'braid.db');
  return join(env['XDG_DATA_HOME'] || join(home, '.local', 'share'), 'braid', 'braid.db');
}
