import { BraidError } from './errors';
import { reasonPhrase } from './reason-phrase';

// How a signed link says it expired. Object stores and CDNs answer an expired signature with 403 (S3, GCS,
// CloudFront), 401, 404 or 410, and some with a 400 whose body names the cause; the status alone decides
// the first ones, the body the 400.

/** Statuses with which a link that worked may refuse once its signature expired. */
const REFUSING = new Set([401, 403, 404, 410]);

/** Statuses a refreshed link is needed for when there is no redirect to go back through. */
const EXPIRED = new Set([403, 410]);

/** What an object store writes in a 400's body when the signature is out of date. */
const EXPIRED_BODY =
  /<Code>\s*(?:ExpiredToken|AccessDenied|RequestExpired|TokenRefreshRequired|AuthenticationFailed|SignatureDoesNotMatch)\s*<\/Code>|Request has expired|signature (?:has )?expired|token (?:has )?expired/i;

/** The most of a 400's body read to look for the cause. */
export const REFUSAL_BODY_LIMIT = 4096;

/** Whether a 400 answer's status may need its body read to tell an expired signature. */
export function bodyTellsRefusal(status: number): boolean {
  return status === 400;
}

/** Whether an answer (its status, and for a 400 the start of its body) says the link no longer works. */
export function isLinkRefusal(status: number, body: string | null): boolean {
  if (REFUSING.has(status)) return true;
  return status === 400 && body !== null && EXPIRED_BODY.test(body);
}

/**
 * A link refused in the middle of a download. The job asks the download's own URL again when the refused link
 * was reached by a redirect; otherwise it fails (LINK_EXPIRED for 403 and 410).
 */
export class LinkRefused extends BraidError {
  constructor(
    readonly url: string,
    status: number,
    statusMessage: string,
  ) {
    super('HTTP_ERROR', `the server answered ${status} ${statusMessage || reasonPhrase(status)}`.trim(), { status });
    this.name = 'LinkRefused';
  }
}

/** The failure for a link that refused where no redirect leads back to a fresh one; keeps other refusals as they are. */
export function linkFailure(error: BraidError, downloadId: number): BraidError {
  if (error.status === undefined || !EXPIRED.has(error.status)) return error;
  return new BraidError(
    'LINK_EXPIRED',
    `the link expired (the server answered ${error.status}); give the download a fresh link to go on from the bytes on disk: braid refresh ${downloadId} URL`,
    { status: error.status },
  );
}
