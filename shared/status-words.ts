// The queue's statuses and errors in words: what the row shows, and what to do next on hover and in the pane.

import type { ConnectionWait, DownloadError, DownloadSnapshot, DownloadStatus, ErrorCode, FinishingProgress } from './types';

export const STATUS_WORDS: Record<DownloadStatus, string> = {
  queued: 'Waiting',
  active: 'Downloading',
  paused: 'Paused',
  completed: 'Done',
  failed: 'Failed',
};

/** What went wrong, in a few words for the row, and what the person can do about it. */
const ADVICE: Record<ErrorCode, { short: string; next: string }> = {
  INVALID_URL: { short: 'not a web address', next: 'Check the address and add it again.' },
  UNSUPPORTED_SCHEME: { short: 'not http or https', next: 'Braid downloads http and https addresses only.' },
  HTTP_ERROR: { short: 'server error', next: 'The link may have expired or moved: get a fresh link from the page you found it on, then retry.' },
  NETWORK_ERROR: { short: 'network problem', next: 'Check your connection, then retry; Braid keeps what is already downloaded.' },
  TIMEOUT: { short: 'server stopped answering', next: 'Retry later; what is downloaded is kept.' },
  BAD_RESPONSE: { short: 'odd server answer', next: 'Retry; if it keeps failing, try fewer connections for this download.' },
  TOO_MANY_REDIRECTS: { short: 'too many redirects', next: 'Open the link in a browser to find where the file really is.' },
  RETRY_AFTER_TOO_LONG: { short: 'server busy', next: 'The server asked to wait a long time: retry later.' },
  // Said as what Retry will do: 'cannot resume' beside a Retry button read as if retrying would not work.
  CANNOT_RESUME: { short: 'must start over', next: 'The server cannot continue where it stopped, or a new link is another file: retry to start over.' },
  SIZE_MISMATCH: { short: 'wrong size', next: 'The file changed on the server: retry to download it again.' },
  CHECKSUM_ERROR: { short: 'checksum mismatch', next: 'The file is not the one expected: check the checksum, or download it again.' },
  NOT_ENOUGH_DISK_SPACE: { short: 'not enough space', next: 'Free some disk space or choose another folder, then retry.' },
  DISK_FULL: { short: 'disk full', next: 'Free some disk space, then retry; nothing downloaded is lost.' },
  FILE_ERROR: { short: 'cannot write the file', next: 'Check that the folder exists and can be written to, then retry.' },
  INVALID_OPTION: { short: 'invalid option', next: 'Remove the download and add it again with other options.' },
  LINK_EXPIRED: { short: 'link expired', next: 'Get a fresh link from the page you found it on and use Refresh link: Braid checks it is the same file and goes on from what is downloaded.' },
  PROXY_ERROR: { short: 'proxy problem', next: 'Check the proxy address and its user name and password in Settings, then retry.' },
  INTERNAL: { short: 'Braid failed', next: 'Retry; if it happens again, restart Braid.' },
};

/** An HTTP error by its status: a missing file, a refusal and a fault on the server's side each call for another step. */
function httpAdvice(status: number): { short: string; next: string } {
  if (status === 404 || status === 410) {
    return { short: 'not found', next: 'The file is not at this address: the link may have expired or moved. Get a fresh link from the page you found it on.' };
  }
  if (status === 401 || status === 403) {
    return { short: 'access denied', next: 'The server refused access: the link may need you to be signed in, or may have expired. Get a fresh link from the page you found it on.' };
  }
  // Answers that say "not now" (a busy server, a request it took too long to get): the same request may pass later.
  if (status === 408 || status === 425 || status === 429) return { short: 'server busy', next: 'The server asked to wait: retry later, or with fewer connections.' };
  if (status === 416) return { short: 'no such range', next: 'The server has no such part of the file: it may have changed. Retry to download it from the start.' };
  if (status >= 500) return { short: 'server error', next: 'The server failed on its side: retry later.' };
  return { short: 'request refused', next: 'The server refused the request: check the link, then retry.' };
}

export function errorAdvice(error: DownloadError): { short: string; next: string } {
  if (error.code === 'HTTP_ERROR' && error.status !== undefined) return httpAdvice(error.status);
  return ADVICE[error.code] ?? { short: 'failed', next: 'Retry.' };
}

/**
 * A download with all its bytes that is being finished, in words: it receives nothing then, and "100%, 0 B/s"
 * for the minutes a large checksum takes reads as stuck.
 */
export function finishingText(f: FinishingProgress): string {
  if (f.step === 'saving') return 'Saving';
  if (f.step === 'seams') return `Checking seams (${f.done} of ${f.total})`;
  return `Verifying checksum (${f.total > 0 ? Math.floor((f.done / f.total) * 100) : 100}%)`;
}

/**
 * A running download none of whose connections is open, in words: every connection Braid opens to its server (or
 * in all) is taken by other downloads, and it starts receiving when one of them lets one go.
 */
export function connectionWaitText(w: ConnectionWait): string {
  return w.scope === 'server'
    ? `Waiting for a connection to ${w.host} (all ${w.allowed} in use)`
    : `Waiting for a connection (all ${w.allowed} in use)`;
}

/** What a running download is doing instead of receiving (being finished, waiting for a connection), or null. */
export function runningNote(d: Pick<DownloadSnapshot, 'finishing' | 'connectionWait'>): string | null {
  if (d.finishing) return finishingText(d.finishing);
  return d.connectionWait ? connectionWaitText(d.connectionWait) : null;
}

/**
 * A download that failed its checksum arrived whole, and its whole .part is kept, though its segments are reset so
 * that Retry fetches it again: drawn whole (in the failure's colour), and its removal deletes data.
 */
export function failedItsChecksum(d: Pick<DownloadSnapshot, 'status' | 'error'>): boolean {
  return d.status === 'failed' && d.error?.code === 'CHECKSUM_ERROR';
}

/** The status cell: the status in words, and for a failure what went wrong in a few words. */
export function statusText(d: Pick<DownloadSnapshot, 'status' | 'error' | 'finishing' | 'connectionWait'>): string {
  if (d.status === 'failed' && d.error) return `Failed: ${errorAdvice(d.error).short}`;
  if (d.status === 'active' && d.finishing) return finishingText(d.finishing);
  if (d.status === 'active' && d.connectionWait) return 'Waiting for a connection';
  // A running download's error is one no byte has come after yet: it is trying again, not downloading.
  if (d.status === 'active' && d.error) return `Retrying: ${errorAdvice(d.error).short}`;
  return STATUS_WORDS[d.status];
}

/** The whole error for a tooltip: what happened and what to do next. */
export function errorHover(error: DownloadError): string {
  return `${withoutCommand(error.message)}. ${errorAdvice(error).next}`;
}

/**
 * An engine message without the command line it ends with (`…: braid refresh 12 URL`): a window offers that
 * action as a button, so the command would only confuse.
 */
export function withoutCommand(message: string): string {
  return message.replace(/;[^;]*:\s*braid\s.*$/s, '').replace(/:\s*braid\s.*$/s, '');
}
