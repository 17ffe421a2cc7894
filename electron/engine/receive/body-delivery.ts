import type { ByteStash } from './byte-stash';

/**
 * Receives body bytes as a view of a buffer that is reused right after the call returns: copy them out
 * before returning. It may call `pause()`, `setLimit()` or `stop()` of its response.
 */
export type BodyConsumer = (buffer: Buffer, start: number, end: number) => void;

export const ignoreBody: BodyConsumer = () => undefined;

/**
 * A consumer's offer to have body bytes read straight into the memory it would copy them to: the bytes it is
 * then handed are a view of that memory, at the place it lent, and need no copy.
 */
export interface InPlaceReads {
  /** A view of at most `maxBytes` where the next body bytes would go, or null. */
  lend(maxBytes: number): Buffer | null;
  /** The socket reads no more into the view last lent: its memory may be reused. */
  giveBack(): void;
}

/**
 * The consumer's side of a response body: bytes reach it in order and never past its limit, what comes while it
 * is paused is held until it resumes, and nothing reaches it after a stop. It knows nothing of sockets or
 * framing: RangeResponse decides when to read and when the body is over, this decides what the consumer gets.
 */
export class BodyDelivery {
  consumer: BodyConsumer = ignoreBody;
  /** Body bytes the consumer takes in all. */
  limit = 0;
  /** Body bytes delivered to the consumer. */
  delivered = 0;
  /** Body bytes not delivered: past the limit, or dropped by `stop()`. */
  skipped = 0;
  paused = false;
  /** The caller called `stop()`: nothing more is delivered, held bytes included. */
  stopped = false;
  /** A consumer call is under way: a resume() it makes lets the delivery loop go on, in order. */
  inConsumer = false;
  /** The response is over (settled or failed): nothing more is delivered. */
  private ended = false;

  constructor(
    /** Body bytes that arrived during a pause (TLS may still hand on records it had decrypted). */
    readonly held: ByteStash,
    /** No consumer call carries more than one read's worth, so a consumer knows how much room to keep. */
    private readonly maxPiece: number,
    /** Whether the response still takes body bytes from the parser. */
    private readonly open: () => boolean,
    /** A consumer that throws fails the response (and its socket) with what it threw. */
    private readonly consumerFailed: (error: unknown) => void,
  ) {
    held.clear();
  }

  /** Body bytes the consumer would take at once right now: none while paused, stopped or holding bytes. */
  get openRoom(): number {
    return this.paused || this.stopped || this.ended || this.held.length > 0 ? 0 : this.limit - this.delivered;
  }

  /** The consumer has, or is holding, all it takes. */
  reachedLimit(): boolean {
    return this.stopped || this.delivered + this.held.length >= this.limit;
  }

  /** Body bytes from the parser: handed on, held while paused, skipped past the limit. */
  readonly offer = (buffer: Buffer, start: number, end: number): void => {
    let at = start;
    while (at < end) {
      // Checked again after every consumer call: it may have paused, stopped or lowered the limit.
      const room = !this.stopped && this.open() ? this.limit - this.delivered - this.held.length : 0;
      if (room <= 0) break;
      const n = Math.min(end - at, room);
      if (this.paused || this.held.length > 0) {
        // The rest waits, in order, for resume().
        this.held.append(buffer, at, at + n);
        at += n;
        continue;
      }
      const piece = Math.min(n, this.maxPiece);
      this.delivered += piece;
      this.hand(buffer, at, at + piece);
      at += piece;
    }
    this.skipped += end - at;
  };

  /** Hands on the bytes that came during a pause, piece by piece, until paused again. */
  deliverHeld(): void {
    const held = this.held;
    while (held.length > 0 && !this.paused && !this.stopped && !this.ended) {
      const room = this.limit - this.delivered;
      if (room <= 0) {
        this.dropHeld();
        return;
      }
      const piece = Math.min(held.length, room, this.maxPiece);
      const at = held.start;
      held.consume(piece);
      this.delivered += piece;
      this.hand(held.bytes, at, at + piece);
    }
  }

  dropHeld(): void {
    this.skipped += this.held.length;
    this.held.clear();
  }

  /** The response settled or failed: held bytes are let go and the consumer is never called again. */
  end(): void {
    this.ended = true;
    this.held.clear();
    this.consumer = ignoreBody;
  }

  private hand(buffer: Buffer, start: number, end: number): void {
    this.inConsumer = true;
    try {
      this.consumer(buffer, start, end);
    } catch (error) {
      this.consumerFailed(error);
    } finally {
      this.inConsumer = false;
    }
  }
}
