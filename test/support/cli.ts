import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The built command line, as `npm install` leaves it. */
export const BRAID = join(import.meta.dirname, '../../out/cli/braid.js');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** What the command reads and where its output goes, besides its arguments. */
export interface RunIo {
  /** Written to its standard input, which is then closed (default: nothing). */
  input?: string;
  /** The reader of its standard output goes away before anything is written (`braid … | head -0`). */
  closedStdout?: boolean;
}

/** Runs a command asynchronously and collects what it printed; `onStart` can signal it while it runs. */
export function run(
  command: string,
  args: string[],
  onStart?: (kill: (signal: NodeJS.Signals) => void) => void,
  env?: Record<string, string>,
  io: RunIo = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
    let stdout = '';
    let stderr = '';
    if (io.closedStdout) child.stdout.destroy();
    else child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // A command that cannot start (missing, not executable) fails the test with its reason, not the run.
    child.on('error', (error) => resolve({ code: null, signal: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    // Without input, standard input ends at once, as /dev/null would; a command that exits unread is no error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(io.input ?? '');
    onStart?.((signal) => child.kill(signal));
  });
}

/**
 * Runs the built CLI asynchronously, so an origin in the test's own process keeps serving. `onStart` gets a
 * way to signal the child (SIGKILL, SIGINT) while it runs.
 */
export function braid(args: string[], onStart?: (kill: (signal: NodeJS.Signals) => void) => void, env?: Record<string, string>, io?: RunIo): Promise<Run> {
  return run(process.execPath, [BRAID, ...args], onStart, env, io);
}
