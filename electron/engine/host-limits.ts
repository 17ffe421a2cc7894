import type { ConnectionWait, HostLimit } from '../../shared/types';
import type { BraidError } from './errors';
import type { Clock, LearnedHostLimit } from './ports';
import { reportOnce } from './report-once';

/** Where learned limits are kept between runs (the store). */
export interface HostLimitStore {
  loadHostLimits(): LearnedHostLimit[];
  saveHostLimit(host: string, limit: { connections: number; learnedAt: number } | null): void;
}

export interface HostLimitOptions {
  store: HostLimitStore;
  clock: Clock;
  /** The user's caps, read at every decision so a settings change applies at once. */
  caps: () => { perServer: number; total: number };
  /** How long a learned limit holds before one step more is tried. */
  stepUpAfterMs: number;
  /** Off: refusals are never taken as a limit (each is retried with backoff, as any 503). */
  learn: boolean;
}

/** A request the server refused (503 or 429 without Retry-After, or a reset before any answer); `cause` is what failed. */
export class Refused extends Error {
  constructor(
    override readonly cause: unknown,
    /** `answer`: a 503 or 429 said so; `reset`: the connection was cut, which a flaky network does now and then too. */
    readonly how: 'answer' | 'reset',
  ) {
    super('the server refused the connection');
    this.name = 'Refused';
  }
}

/**
 * The connection gives its slot and its segment back, so that connections the server does answer take the
 * segment on. `retryAfter` null: the server allows fewer connections than were open, and this one waits for a
 * slot; otherwise it was refused within the limit (a server busy for a moment) and waits that out first.
 */
export class StepAside extends Error {
  constructor(readonly retryAfter: BraidError | null) {
    super(retryAfter ? retryAfter.message : 'the server allows fewer connections');
    this.name = 'StepAside';
  }
}

/** Codes of a connection the server cut before answering. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Whether an error, thrown before the request had its answer, says the server refused this connection. */
export function isRefusal(error: unknown, head: { status: number; retryAfter: boolean } | null): boolean {
  if (head) return (head.status === 503 || head.status === 429) && !head.retryAfter;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RESET_CODES.has(code);
}

/** The server of a URL as limits count it: host, and port when it is not the scheme's own. */
export function serverOf(url: string): string {
  return new URL(url).host;
}

/** The next step down of 8 → 4 → 2 → 1 below `n`. */
function stepBelow(n: number): number {
  let step = 1;
  while (step * 2 < n) step *= 2;
  return step;
}

/** How long a peak of working connections counts as proof of what the server takes. */
const PEAK_WINDOW_MS = 5000;
/** Two resets within this time, while other connections work, are a limit; one alone is not. */
const RESET_PAIR_MS = 10_000;

interface Waiter {
  /** The download that waits (undefined: a request of no download's, such as a probe). */
  owner: number | undefined;
  resolve: (slot: HostSlot) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/** One server: its limit (learned or not), the connections that hold a slot, and who waits for one. */
class ServerGate {
  /** The learned limit; null while the server has refused nothing. */
  learned: number | null = null;
  /** When the learned limit was set or last confirmed by a refusal. */
  learnedAt = 0;
  /** Slots whose current request was answered and is receiving: the proof that `active` connections can work. */
  receiving = 0;
  /** The most receiving at once lately, and when: answers are read one by one, so a count taken at a refusal can lag. */
  peak = 0;
  peakAt = 0;
  /** When a connection to it was last reset before its answer. */
  resetAt = -Infinity;
  readonly waiters: Waiter[] = [];
  /** The slots held now. */
  readonly slots = new Set<HostSlot>();

  constructor(readonly host: string) {}

  get active(): number {
    return this.slots.size;
  }
}

/**
 * A slot: the right to hold one connection to a server. The connection says when its answer came, and when the
 * server refused it (503 or 429 without Retry-After, or a reset before any answer).
 */
export class HostSlot {
  private answered = false;
  private released = false;
  /** When the server last answered this connection with a body. */
  answeredAt = -Infinity;

  constructor(
    private readonly limits: HostLimits,
    private readonly gate: ServerGate,
    /** The download that holds it, for sharing the server between downloads. */
    readonly owner: number | undefined,
  ) {}

  get host(): string {
    return this.gate.host;
  }

  /** Whether other connections to the server are receiving an answer now. */
  othersReceiving(): boolean {
    return this.gate.receiving - (this.answered ? 1 : 0) > 0;
  }

  /** A new request on this slot: not answered yet. */
  requesting(): void {
    this.settle();
  }

  /**
   * The request's answer is over, received or cut: the slot no longer proves the server takes it. A connection
   * waiting to try again after a cut (a server that went away) must not count as working, or the refusals of a
   * server that is down would be taken for a limit.
   */
  ended(): void {
    this.settle();
  }

  /** The server answered with a body to receive. */
  receiving(): void {
    if (this.answered) return;
    this.answered = true;
    this.gate.receiving++;
    this.answeredAt = this.limits.noteReceiving(this.gate);
  }

  /**
   * The server refused this connection. True when other connections to it are receiving at the same time: the
   * server limits connections, the limit steps down, and this connection should give its slot back.
   */
  refused(how: 'answer' | 'reset' = 'answer'): boolean {
    this.settle();
    return this.limits.refusedWhileOthersWork(this.gate, how, this);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.settle();
    this.limits.give(this.gate, this);
  }

  private settle(): void {
    if (!this.answered) return;
    this.answered = false;
    this.gate.receiving--;
  }
}

/**
 * Connections per server and in all. Each server's limit is learned: when a connection is refused while others
 * to the same server are receiving, the limit steps down (8 → 4 → 2 → 1, never below the connections that work)
 * and is remembered in the store; some time after it was learned, one step more is tried, and kept unless
 * refused again. Slots are handed out in the order they were asked for.
 */
export class HostLimits {
  private readonly gates = new Map<string, ServerGate>();
  private total = 0;

  constructor(private readonly options: HostLimitOptions) {
    for (const row of options.store.loadHostLimits()) {
      const gate = this.gateOf(row.host);
      gate.learned = row.connections;
      gate.learnedAt = row.learnedAt;
    }
  }

  /** Waits for a slot to `host` for download `owner`; rejects with the signal's reason when it aborts first. */
  acquire(host: string, signal: AbortSignal, owner?: number): Promise<HostSlot> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const gate = this.gateOf(host);
    if (gate.waiters.length === 0 && this.hasRoom(gate)) return Promise.resolve(this.grant(gate, owner));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        owner,
        resolve,
        reject,
        signal,
        onAbort: () => {
          gate.waiters.splice(gate.waiters.indexOf(waiter), 1);
          reject(signal.reason);
          this.serve();
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      gate.waiters.push(waiter);
    });
  }

  /** Why a connection to `host` would wait now: the server's connections, or all of them, are taken; null if it would not. */
  fullness(host: string): ConnectionWait | null {
    const caps = this.options.caps();
    if (this.total >= caps.total) return { host, scope: 'all', open: this.total, allowed: caps.total };
    const gate = this.gates.get(host);
    const allowed = gate ? this.limitOf(gate) : caps.perServer;
    const open = gate?.active ?? 0;
    return open >= allowed ? { host, scope: 'server', open, allowed } : null;
  }

  /** The learned limit of `host`, when it is below what the user allows. */
  describe(host: string): HostLimit | undefined {
    const gate = this.gates.get(host);
    if (!gate || gate.learned === null || gate.learned >= this.options.caps().perServer) return undefined;
    return { host, connections: gate.learned };
  }

  /** A settings change may give room to waiting connections. */
  serve(): void {
    for (const gate of this.gates.values()) {
      while (gate.waiters.length > 0 && this.hasRoom(gate)) {
        const waiter = gate.waiters.shift()!;
        waiter.signal.removeEventListener('abort', waiter.onAbort);
        waiter.resolve(this.grant(gate, waiter.owner));
      }
    }
  }

  /**
   * Whether download `owner` should give one of its connections to `host` back: the next in line for the server is
   * another download, waiting for the server's own limit while holding at least two fewer. A connection moved then
   * narrows the gap without turning it around, so the connections settle into an even split instead of passing
   * back and forth; and one given back goes to that download, not to a connection of the same one queued first.
   */
  overShare(host: string, owner: number): boolean {
    const gate = this.gates.get(host);
    const next = gate?.waiters[0];
    if (!gate || !next || next.owner === undefined || next.owner === owner) return false;
    // Waiting for the cap over every server instead: a slot given back may go to another server's connection.
    if (gate.active < this.limitOf(gate)) return false;
    const held = (download: number) => [...gate.slots].filter((slot) => slot.owner === download).length;
    return held(next.owner) + 2 <= held(owner);
  }

  /** @internal a slot's answer came: the peak of connections working at once. Returns the time. */
  noteReceiving(gate: ServerGate): number {
    const now = this.options.clock.now();
    if (gate.receiving >= gate.peak || now - gate.peakAt > PEAK_WINDOW_MS) {
      gate.peak = gate.receiving;
      gate.peakAt = now;
    }
    // Answers are read one by one: refusals read before the answer of a connection the server had taken step the
    // limit below what it allows. Connections answered at once prove it allows them.
    if (gate.learned !== null && gate.receiving > gate.learned) {
      gate.learned = gate.receiving;
      gate.learnedAt = this.options.clock.wallTime();
      this.remember(gate.host, { connections: gate.learned, learnedAt: gate.learnedAt });
    }
    return now;
  }

  /** @internal the slot's refusal; see HostSlot.refused. */
  refusedWhileOthersWork(gate: ServerGate, how: 'answer' | 'reset', refused: HostSlot): boolean {
    // Nothing working at all: the server is busy rather than limiting, and the refusal is retried with backoff.
    if (!this.options.learn || gate.receiving === 0) return false;
    if (how === 'reset') {
      // One reset may be the network's; a second one soon after is the server's answer to too many connections.
      const first = this.options.clock.now() - gate.resetAt > RESET_PAIR_MS;
      gate.resetAt = this.options.clock.now();
      if (first) return false;
    }
    const now = this.options.clock.wallTime();
    const since = this.options.clock.now() - PEAK_WINDOW_MS;
    // Connections the server answered lately are open with this one: a server that limits connections counts
    // them, though their answers may not overlap (small segments, a busy machine reading them late).
    let answered = 0;
    for (const slot of gate.slots) if (slot !== refused && slot.answeredAt >= since) answered++;
    const working = Math.max(gate.peakAt >= since ? gate.peak : 0, gate.receiving, answered);
    const current = Math.min(this.limitOf(gate), gate.active);
    const next = Math.max(working, stepBelow(current));
    if (gate.learned === null || next < gate.learned || now - gate.learnedAt > 1000) {
      // Confirmed or lowered: remembered. A confirmation at most once a second keeps the store out of the way.
      gate.learned = gate.learned === null ? next : Math.min(gate.learned, next);
      gate.learnedAt = now;
      this.remember(gate.host, { connections: gate.learned, learnedAt: now });
    }
    // Only a connection beyond the limit steps aside (it waits for a slot, not retrying at once); one within it was
    // refused for another reason (a slow close on the server's side, another client) and is retried with backoff.
    return gate.active > this.limitOf(gate);
  }

  /** @internal a slot given back. */
  give(gate: ServerGate, slot: HostSlot): void {
    gate.slots.delete(slot);
    this.total--;
    this.serve();
    if (gate.active === 0 && gate.waiters.length === 0 && gate.learned === null) this.gates.delete(gate.host);
  }

  private grant(gate: ServerGate, owner: number | undefined): HostSlot {
    this.total++;
    const slot = new HostSlot(this, gate, owner);
    gate.slots.add(slot);
    return slot;
  }

  private hasRoom(gate: ServerGate): boolean {
    if (this.total >= this.options.caps().total) return false;
    if (gate.active < this.limitOf(gate)) return true;
    return this.steppedUp(gate) && gate.active < this.limitOf(gate);
  }

  private limitOf(gate: ServerGate): number {
    const cap = this.options.caps().perServer;
    return gate.learned === null ? cap : Math.min(gate.learned, cap);
  }

  /** A learned limit that held long enough without a refusal is raised one step, to see whether it still holds. */
  private steppedUp(gate: ServerGate): boolean {
    if (gate.learned === null) return false;
    const now = this.options.clock.wallTime();
    if (now - gate.learnedAt < this.options.stepUpAfterMs) return false;
    const next = gate.learned * 2;
    if (next >= this.options.caps().perServer) {
      gate.learned = null;
      this.remember(gate.host, null);
    } else {
      gate.learned = next;
      gate.learnedAt = now;
      this.remember(gate.host, { connections: next, learnedAt: now });
    }
    return true;
  }

  /** A limit that cannot be stored is still used for this run: learning it again costs a few refusals. */
  private remember(host: string, limit: { connections: number; learnedAt: number } | null): void {
    try {
      this.options.store.saveHostLimit(host, limit);
    } catch (error) {
      reportOnce('a learned connection limit could not be stored', error);
    }
  }

  private gateOf(host: string): ServerGate {
    let gate = this.gates.get(host);
    if (!gate) {
      gate = new ServerGate(host);
      this.gates.set(host, gate);
    }
    return gate;
  }
}
