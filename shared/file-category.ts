// File types as the sidebar groups them, by the extension of the name (or of the URL's last segment before one
// is known). Shared by the renderer (icons) and the store (the list's category filter), so the two never disagree.

export type FileCategory = 'video' | 'audio' | 'archives' | 'documents' | 'programs' | 'other';

export const FILE_CATEGORIES: readonly FileCategory[] = ['video', 'audio', 'archives', 'documents', 'programs', 'other'];

/** Extensions of each category but `other`, which is everything else. */
export const CATEGORY_EXTENSIONS: Readonly<Record<Exclude<FileCategory, 'other'>, readonly string[]>> = {
  video: ['mp4', 'mkv', 'webm', 'avi', 'mov', 'm4v', 'wmv', 'flv', 'mpg', 'mpeg', 'ts'],
  audio: ['mp3', 'flac', 'ogg', 'opus', 'wav', 'm4a', 'aac', 'wma'],
  archives: ['zip', 'rar', '7z', 'tar', 'gz', 'tgz', 'bz2', 'xz', 'zst', 'iso', 'img'],
  documents: ['pdf', 'doc', 'docx', 'odt', 'xls', 'xlsx', 'ods', 'ppt', 'pptx', 'txt', 'md', 'epub', 'csv'],
  programs: ['exe', 'msi', 'dmg', 'pkg', 'deb', 'rpm', 'appimage', 'apk', 'sh', 'run'],
};

/** The extension of a file name, lower case, without the dot ('' when none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function categoryOf(name: string): FileCategory {
  const ext = extensionOf(name);
  for (const [category, exts] of Object.entries(CATEGORY_EXTENSIONS)) if (exts.includes(ext)) return category as FileCategory;
  return 'other';
}

/** The name a download is shown by: the server's (once known), else the URL's last path segment, decoded. */
export function displayName(d: { name: string | null; url: string }): string {
  if (d.name) return d.name;
  try {
    const url = new URL(d.url);
    const segments = url.pathname.split('/').filter((s) => s !== '');
    const last = segments.at(-1);
    if (!last) return url.hostname;
    try {
      return decodeURIComponent(last);
    } catch {
      return last;
    }
  } catch {
    return d.url;
  }
}

/**
 * What a search looks in: the name a row shows and its URL, in lower case (Unicode's, not only ASCII's). The window
 * filters live rows with it and the store registers it with SQLite, so both find the same downloads.
 */
export function searchText(d: { name: string | null; url: string }): string {
  return `${displayName(d)}\n${d.url}`.toLowerCase();
}
