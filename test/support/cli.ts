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

/** Runs a command asynchronously and collects what it printed; `onStart` can signal it while it runs. */
export function run(command: string, args: string[], onStart?: (kill: (signal: NodeJS.Signals) => void) => void, env?: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // A command that cannot start (missing, not executable) fails the test with its reason, not the run.
    child.on('error', (error) => resolve({ code: null, signal: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    onStart?.((signal) => child.kill(signal));
  });
}

/**
 * Runs the built CLI asynchronously, so an origin in the test's own process keeps serving. `onStart` gets a
 * way to signal the child (SIGKILL, SIGINT) while it runs.
 */
export function braid(args: string[], onStart?: (kill: (signal: NodeJS.Signals) => void) => void, env?: Record<string, string>): Promise<Run> {
  return run(process.execPath, [BRAID, ...args], onStart, env);
}
