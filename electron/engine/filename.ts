import contentDisposition from 'content-disposition';

const MAX_NAME_BYTES = 200;
const FALLBACK = 'download';
// Control characters, and bidi overrides that make `exe.txt` look like `txt.exe`.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
// Characters no Windows file system accepts; also refused elsewhere so one queue works on every OS.
const FORBIDDEN = /[<>:"|?*]/g;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

function lastPathSegment(text: string): string {
  const parts = text.split(/[/\\]/);
  return parts[parts.length - 1] ?? '';
}

/**
 * A name with slashes in it is one name, as browsers save it ("AC/DC.mp3" → "AC_DC.mp3"); what only climbs or
 * roots a path ("..", ".", an empty part) is dropped rather than kept as dots.
 */
function flattenPath(text: string): string {
  return text
    .split(/[/\\]/)
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .join('_');
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > maxBytes) break;
    out += ch;
  }
  return out;
}

/** Splits `name.ext` into its stem and `.ext` (a leading dot is part of the stem). */
export function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext: name.slice(dot) };
}

/**
 * Turns any text a server or URL offers into one safe file name inside the chosen folder: never a path,
 * never empty, never `.`/`..`, never a device name, never invisible characters, bounded in length.
 */
export function sanitizeFilename(raw: string): string {
  let name = flattenPath(raw.normalize('NFC'))
    .replace(INVISIBLE, '')
    .replace(FORBIDDEN, '_')
    .trim()
    .replace(/[. ]+$/, '');
  if (name === '' || name === '.' || name === '..') return FALLBACK;
  if (RESERVED.test(name)) name = `_${name}`;
  const { stem, ext } = splitExtension(name);
  const boundedExt = truncateUtf8(ext, 32);
  name = truncateUtf8(stem, MAX_NAME_BYTES - Buffer.byteLength(boundedExt)) + boundedExt;
  name = name.replace(/[. ]+$/, '');
  return name === '' ? FALLBACK : name;
}

/**
 * A name a server or URL offers, made safe, and never hidden: a leading dot is dropped (".bashrc" → "bashrc"),
 * as browsers do, so a download cannot land out of sight or pose as a settings file. A name the user gives
 * (`-o`, `out=`) keeps its dot.
 */
function offeredName(raw: string): string {
  return sanitizeFilename(sanitizeFilename(raw).replace(/^[.\s]+/, ''));
}

/** The file name a URL suggests: its last path segment, percent-decoded. */
export function nameFromUrl(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return FALLBACK;
  }
  const segment = lastPathSegment(path);
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // A malformed escape: keep the raw text, it is still sanitised below.
  }
  return offeredName(decoded);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header's bytes reach Braid one character per byte (latin1). Servers put UTF-8 in a plain `filename="…"`, and
 * browsers read it as UTF-8 when its bytes are valid UTF-8, which a latin1 name such as `café` (é one byte) is not.
 */
function utf8IfItIs(text: string): string {
  if (!/[\u0080-\u00ff]/.test(text) || /[^\u0000-\u00ff]/.test(text)) return text;
  try {
    return UTF8.decode(Buffer.from(text, 'latin1'));
  } catch {
    return text;
  }
}

/** The name a Content-Disposition header offers (`filename*` first), or null. */
export function nameFromContentDisposition(header: string | undefined): string | null {
  if (!header) return null;
  let offered: string | undefined;
  try {
    offered = contentDisposition.parse(header).parameters['filename'];
  } catch {
    // Servers send malformed headers; take a plain quoted or bare filename= when there is one.
    const m = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(header);
    offered = m?.[1] ?? m?.[2]?.trim();
  }
  if (!offered) return null;
  // A `filename*` names its own charset, and was decoded by it.
  return offeredName(/filename\*\s*=/i.test(header) ? offered : utf8IfItIs(offered));
}

/** `name`, else `name (1).ext`, `name (2).ext`, ... — the first one `taken` says is free. */
export function uniqueName(name: string, taken: (candidate: string) => boolean, limit = 10_000): string {
  if (!taken(name)) return name;
  const { stem, ext } = splitExtension(name);
  for (let i = 1; i < limit; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!taken(candidate)) return candidate;
  }
  throw new Error(`no free name like ${name}`);
}
