/**
 * How Braid knows the bytes of one download all belong to one version of the file, in words for the detail
 * panel and the command line.
 */
export function versionCheck(d: { etag: string | null; lastModified: string | null; acceptRanges: boolean }): string {
  if (!d.acceptRanges) return 'one connection, from the start (the server does not resume)';
  if (d.etag && !d.etag.startsWith('W/')) return 'ETag, sent with every range request (If-Range)';
  if (d.lastModified) return 'Last-Modified in range requests, and the seams where two connections’ bytes meet re-read and compared before finishing';
  return SEAM_CHECK;
}

export const SEAM_CHECK =
  'the server sends no ETag that proves the file unchanged, so Braid re-reads a few KiB across each seam where two connections’ bytes meet and compares them before finishing';
