/** What identifies one version of a file on the server. */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
  size: number | null;
}

export function isWeakEtag(etag: string): boolean {
  return etag.startsWith('W/');
}

/**
 * The If-Range value for a resume: a strong ETag, else a Last-Modified date that is itself strong (the
 * response's Date at least one second after it), else nothing — then each 206 is checked by size instead.
 */
export function ifRangeValue(v: Validators, responseDate?: string | null): string | null {
  if (v.etag && !isWeakEtag(v.etag)) return v.etag;
  if (v.etag) return null;
  if (!v.lastModified) return null;
  const modified = Date.parse(v.lastModified);
  if (Number.isNaN(modified)) return null;
  if (responseDate) {
    const date = Date.parse(responseDate);
    if (Number.isNaN(date) || date - modified < 1000) return null;
  }
  return v.lastModified;
}

/** Says why `now` is not the same version as `before`, or null when nothing we can see changed. */
export function versionChange(before: Validators, now: Validators): string | null {
  if (before.size !== null && now.size !== null && before.size !== now.size) {
    return `the file size changed from ${before.size} to ${now.size}`;
  }
  if (before.etag && now.etag && before.etag !== now.etag) return 'the file changed on the server (new ETag)';
  if (!before.etag && before.lastModified && now.lastModified && before.lastModified !== now.lastModified) {
    return 'the file changed on the server (new Last-Modified)';
  }
  return null;
}
