import { spawn } from 'node:child_process';

/** How long a launch may take to fail (a missing or non-executable file) before it counts as started. */
const LAUNCH_GRACE_MS = 500;

/**
 * Starts the installed Braid app, detached from the host (the browser ends the host once it has answered), so the
 * downloads just queued run now instead of at the app's next start. Resolves with the reason it could not start,
 * or null.
 */
export function startApp(path: string): Promise<string | null> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (problem: string | null) => {
      if (settled) return;
      settled = true;
      resolve(problem);
    };
    try {
      // The host itself may run as the app's executable in Node mode; the app it starts must not inherit that.
      const env = { ...process.env };
      delete env['ELECTRON_RUN_AS_NODE'];
      const child = spawn(path, [], { detached: true, stdio: 'ignore', env });
      child.once('error', (error) => settle(`cannot start the Braid app (${path}): ${error.message}`));
      child.once('spawn', () => {
        child.unref();
        setTimeout(() => settle(null), LAUNCH_GRACE_MS);
      });
    } catch (error) {
      settle(`cannot start the Braid app (${path}): ${(error as Error).message}`);
    }
  });
}
