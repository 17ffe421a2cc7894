/**
 * The signals that stop a running engine as Ctrl-C does, saving progress: an interrupt, a polite kill, and the
 * terminal closing with the command still in it.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
