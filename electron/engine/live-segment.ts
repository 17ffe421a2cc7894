/** A segment while its download runs: positions are absolute file offsets. */
export class LiveSegment {
  /** Next byte to receive. */
  position: number;
  /** Everything before this offset is written to the file (not necessarily synced yet). */
  written: number;
  /** A connection is working on it. */
  active = false;
  /** Bytes and start time of the current connection, for its speed. */
  private connectionBytes = 0;
  private connectionStart = 0;

  constructor(
    readonly start: number,
    public end: number,
    done: number,
  ) {
    this.position = start + done;
    this.written = start + done;
  }

  get complete(): boolean {
    return this.written >= this.end;
  }

  beginConnection(now: number): void {
    this.connectionBytes = 0;
    this.connectionStart = now;
  }

  received(n: number): void {
    this.position += n;
    this.connectionBytes += n;
  }

  speed(now: number): number {
    const seconds = (now - this.connectionStart) / 1000;
    return seconds > 0.05 ? this.connectionBytes / seconds : 0;
  }
}
