/**
 * What the queue's window says while Braid cannot save its state: the store refused a write (a status, a
 * download's end), so downloads wait and start by themselves once it takes writes again.
 */
export function storeTroubleText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL') return 'The disk that holds Braid’s state database is full: downloads wait until some space is freed there.';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'Another program holds Braid’s state database locked: downloads wait until it lets go.';
  const message = error instanceof Error ? error.message : String(error);
  return `Braid cannot save its state (${message}${typeof code === 'string' ? `, ${code}` : ''}): downloads wait until it can.`;
}
