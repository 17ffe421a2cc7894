/**
 * TLS sessions to resume, one per origin: a new connection to a server Braid has spoken to resumes its session
 * (no certificate chain to send and check again) instead of a full handshake. Only the most recently used
 * origins are kept, as Node's https agent keeps 100, so a long-running app that visits many servers holds a
 * bounded number of them.
 */
export class TlsSessions {
  private readonly sessions = new Map<string, Buffer>();

  constructor(private readonly max = 100) {}

  get size(): number {
    return this.sessions.size;
  }

  get(origin: string): Buffer | undefined {
    const session = this.sessions.get(origin);
    if (session) this.touch(origin, session);
    return session;
  }

  set(origin: string, session: Buffer): void {
    this.touch(origin, session);
    // Map keeps insertion order: the first key is the one used longest ago.
    if (this.sessions.size > this.max) this.sessions.delete(this.sessions.keys().next().value!);
  }

  /** A handshake failed: the session is not offered again. */
  delete(origin: string): void {
    this.sessions.delete(origin);
  }

  private touch(origin: string, session: Buffer): void {
    this.sessions.delete(origin);
    this.sessions.set(origin, session);
  }
}
