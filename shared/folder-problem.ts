import { MAX_FOLDER } from './limits';

/**
 * Why a typed folder cannot be saved, in words; null when it can. The engine resolves a relative path against
 * its own working folder and never expands `~`, so either would save files somewhere the person did not mean.
 */
export function folderProblem(folder: string): string | null {
  if (folder.length > MAX_FOLDER) return `Keep the folder under ${MAX_FOLDER.toLocaleString('en')} characters.`;
  if (folder.startsWith('~')) return 'Write the whole path, such as /home/you/Videos: Braid does not expand ~.';
  // `/…` (Linux, macOS), `C:\…` or `C:/…` (Windows), `\\server\share` (a Windows network folder).
  if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(folder)) return 'Write the whole path, starting from the top folder, such as /home/you/Videos or C:\\Videos.';
  return null;
}
