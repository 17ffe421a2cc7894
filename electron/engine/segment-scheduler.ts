import type { SegmentState } from '../../shared/types';
import { LiveSegment } from './live-segment';
import type { Clock } from './ports';
import { chooseSplit, compactSegments, MIN_SEGMENT, planSegments } from './segment-plan';

/** Stands for "until the server closes" when the size is unknown. */
export const UNKNOWN_END = Number.MAX_SAFE_INTEGER;

/**
 * The live segments of a running download: which one a free connection works on next (an unstarted one, else
 * the second half of the one that will finish last, by measured speed), and how much of the file is received
 * and written.
 */
export class SegmentScheduler {
  private live: LiveSegment[] = [];
  /** Whether the server takes ranges for this file: without them there is one segment, fetched whole. */
  ranged = false;

  constructor(private readonly clock: Clock) {}

  get segments(): readonly LiveSegment[] {
    return this.live;
  }

  /** A new plan: up to `connections` segments over `size` bytes, or one stream when ranges cannot be used. */
  plan(size: number | null, ranged: boolean, connections: number): void {
    this.ranged = ranged && size !== null && size > 0;
    this.live = this.ranged ? planSegments(size!, connections).map((r) => new LiveSegment(r.start, r.end, 0)) : [new LiveSegment(0, size ?? UNKNOWN_END, 0)];
  }

  /** The committed plan of an earlier run, continued where its bytes end. */
  restore(stored: readonly SegmentState[]): void {
    this.ranged = true;
    this.live = stored.map((s) => new LiveSegment(s.start, s.end, s.done));
  }

  get complete(): boolean {
    return this.live.every((s) => s.complete);
  }

  /** Where the file ends by the plan (the size, once an unknown-length body has ended). */
  get end(): number {
    return this.live.reduce((end, s) => Math.max(end, s.end), 0);
  }

  /** Segment offsets as the store keeps them: bytes written (not merely received), finished neighbours merged. */
  written(merge: boolean): SegmentState[] {
    const states = this.live.map((s) => ({ start: s.start, end: s.end, done: s.written - s.start }));
    return merge ? compactSegments(states) : states.sort((a, b) => a.start - b.start);
  }

  /** Segment offsets as the UI draws them: bytes received. */
  received(): SegmentState[] {
    return this.live.map((s) => ({ start: s.start, end: s.end, done: s.position - s.start }));
  }

  /** Work for a free connection, marked active, or null when there is none worth taking. */
  checkout(): LiveSegment | null {
    const segment = this.idle() ?? this.steal();
    if (segment) segment.active = true;
    return segment;
  }

  release(segment: LiveSegment): void {
    segment.active = false;
  }

  private idle(): LiveSegment | null {
    return this.live.find((s) => !s.active && s.position < s.end) ?? null;
  }

  /**
   * Cuts the running segment with the most left just past where it stands, so that its connection stops within a
   * read or two and can be given back; the rest waits for another connection of this download. `ahead` covers
   * bytes already taken in and not yet counted (got hands a chunk over before it is written), which would
   * otherwise land past the cut. Null when no running segment has begun and has enough left to be worth it.
   */
  cutForHandover(ahead: number): LiveSegment | null {
    if (!this.ranged) return null;
    const left = (s: LiveSegment) => s.end - s.position;
    const victim = this.live.filter((s) => s.active && s.position > s.start && left(s) >= MIN_SEGMENT + ahead).sort((a, b) => left(b) - left(a))[0];
    if (!victim) return null;
    const at = victim.position + ahead;
    this.live.push(new LiveSegment(at, victim.end, 0));
    victim.end = at;
    this.live.sort((a, b) => a.start - b.start);
    return victim;
  }

  /** The second half of the running segment that will finish last; the connection on it stops at the split. */
  private steal(): LiveSegment | null {
    if (!this.ranged) return null;
    const now = this.clock.now();
    const running = this.live.filter((s) => s.active);
    const split = chooseSplit(running.map((s) => ({ position: s.position, end: s.end, speed: s.speed(now) })));
    if (!split) return null;
    const victim = running[split.index]!;
    const piece = new LiveSegment(split.at, victim.end, 0);
    victim.end = split.at;
    this.live.push(piece);
    this.live.sort((a, b) => a.start - b.start);
    return piece;
  }
}
