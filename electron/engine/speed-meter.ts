/** Bytes a second under which a download counts as receiving nothing. */
const STOPPED_BELOW = 1;

/**
 * After this long with nothing arriving the speed is 0: smoothing alone takes half a minute or more to come down
 * from a fast start, showing a time left that grows to days meanwhile. curl's current speed is a 5 s window too.
 */
const STALLED_AFTER_MS = 5000;

/** A smoothed speed from a running byte count, sampled once per engine tick. */
export class SpeedMeter {
  /** Bytes counted so far. */
  total = 0;
  private at = 0;
  private last = 0;
  /** When a sample last saw bytes arrive. */
  private lastArrival = 0;
  speed = 0;

  add(bytes: number): void {
    this.total += bytes;
  }

  sample(now: number): void {
    if (this.at > 0) {
      const seconds = (now - this.at) / 1000;
      if (seconds > 0) {
        const instant = (this.total - this.last) / seconds;
        this.speed = this.speed === 0 ? instant : this.speed * 0.7 + instant * 0.3;
        // Smoothing takes a share off a speed each tick and never reaches zero: a stalled download would keep a
        // speed of a fraction of a byte a second, and with it a time left of millions of hours.
        if (this.speed < STOPPED_BELOW) this.speed = 0;
        if (instant > 0) this.lastArrival = now;
        else if (now - this.lastArrival >= STALLED_AFTER_MS) this.speed = 0;
      }
    }
    this.at = now;
    this.last = this.total;
  }
}
