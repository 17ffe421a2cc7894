// Defaults a face may show before any engine is loaded (the command line's help, for one).

/** Parallel connections per download. */
export const DEFAULT_CONNECTIONS = 8;
/** Downloads running at once. */
export const DEFAULT_CONCURRENT = 3;
/** Attempts in a row without progress before a download fails. */
export const DEFAULT_RETRY_ATTEMPTS = 6;
