/**
 * The signals that stop a running engine as Ctrl-C does, saving progress: an interrupt, a polite kill, and the
 * terminal closing with the command still in it.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Another stop signal this soon after the first is the same stop: `timeout` signals the command and its process
 * group, and an impatient second Ctrl-C follows within a moment.
 */
const SAME_STOP_MS = 2000;

/** Puts back what a progress display turned off on a terminal: the cursor, and line wrapping. */
function restoreTerminal(): void {
  if (process.stdout.isTTY) process.stdout.write('\x1b[?25h\x1b[?7h\n');
}

/**
 * Calls `stop` on the first stop signal; repeats within a moment are ignored, so the stop saves what it is saving
 * and sums the run up. One asked for later, while the stop still waits (a disk that does not answer), ends the
 * process at once: what the database holds is always a state a crash could leave, and resumes as one.
 * Returns what removes the listeners (kept once a stop began).
 */
export function onStopSignals(stop: () => void): () => void {
  let first: number | null = null;
  const listener = () => {
    if (first === null) {
      first = performance.now();
      stop();
    } else if (performance.now() - first >= SAME_STOP_MS) {
      restoreTerminal();
      process.stderr.write('braid: stopped at once, without waiting for the last writes: the same command resumes from what was saved before\n');
      process.exit(130);
    }
  };
  for (const signal of STOP_SIGNALS) process.on(signal, listener);
  return () => {
    // Once stopping, the command is ending: a repeat until the process is gone is still the same stop, not a kill.
    if (first !== null) return;
    for (const signal of STOP_SIGNALS) process.off(signal, listener);
  };
}
