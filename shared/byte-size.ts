const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses `500`, `500K`, `1.5M`, `2G` (binary units, an optional trailing `B`, `/s` or `iB`); null if not a size. */
export function parseByteSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?(?:\/s)?\s*$/i.exec(text);
  if (!m) return null;
  const value = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  return Number.isFinite(value) && value <= Number.MAX_SAFE_INTEGER ? Math.floor(value) : null;
}
