/**
 * Application-level acknowledgement of data frames (docs/app-ack.md): the
 * gateway's side of a sliding window over the store's reading queue.
 *
 * A frame goes on the air unconfirmed, wrapped with an application sequence
 * number (drivers/batch/sequenced.ts), and stays in the log until the
 * platform's data-ack names it. The log releases records in order (its
 * acknowledgement is cumulative), so a frame acknowledged ahead of an older
 * one waits in RAM as "acked" until the older one is acknowledged too.
 *
 * When to ask for an acknowledgement (the A bit): once `requestAfter` frames
 * await one, or the oldest has waited `requestAfterMs`, and on every resend.
 * A request rides a new frame; only when none comes for twice
 * `requestAfterMs` is the oldest frame resent to carry it.
 * What is resent, and when:
 *  - a frame the platform reported missing (inside a data-ack's span, bit
 *    clear): at once (the next data slot);
 *  - when a request went unanswered for the current timeout: the oldest
 *    frame, with A; the timeout doubles up to `maxAckTimeoutMs` while requests
 *    go unanswered (a network outage), and is reset by any data-ack or by
 *    `networkAlive()` (an alert was acknowledged: the network is back).
 * No more than `window` frames await an acknowledgement at once, so an
 * outage costs a window of frames, then one probe per timeout.
 *
 * Sequence numbers: a counter that starts at the log's next record number
 * (mod 32768) and advances at each frame's first transmission. The log's
 * numbers only grow across reboots and every frame sent was appended first,
 * so numbers are not reused after a restart (frames in flight at a reboot get
 * new numbers; the platform may then see their readings twice).
 */
import type { Clock } from '../ports/clock.js';
import { SEQ_MODULUS, SEQUENCED_OVERHEAD_BYTES } from '../batch/sequenced.js';
import { DATA_ACK_SPAN } from './downlink.js';
import type { StoreAndForward, StoredRecord } from '../store/store.js';

export interface AppAckOptions {
  /** Frames on the air awaiting the platform's acknowledgement, at most (default 32). */
  window?: number;
  /** Set the A bit once this many frames await an acknowledgement (default 16). */
  requestAfter?: number;
  /** …or once the oldest has waited this long, ms (default 30 min). */
  requestAfterMs?: number;
  /** An unanswered request is repeated (the oldest frame resent) after this long, ms (default 60 s)… */
  ackTimeoutMs?: number;
  /** …doubling per unanswered request up to this, ms (default 16 min). */
  maxAckTimeoutMs?: number;
}

export const APP_ACK_DEFAULTS = {
  window: 32,
  requestAfter: 16,
  requestAfterMs: 30 * 60_000,
  ackTimeoutMs: 60_000,
  maxAckTimeoutMs: 16 * 60_000,
} as const;

/** A data frame to put on the air now. */
export interface DataSend {
  record: StoredRecord;
  seq: number;
  ackRequested: boolean;
  resend: boolean;
}

interface InFlight {
  seq: number;
  firstSentMs: number;
  lastSentMs: number;
  acked: boolean;
  /** The platform reported it missing, or it is the probe of an unanswered request. */
  resendNow: boolean;
}

export interface AppAckStats {
  /** Frames on the air awaiting acknowledgement. */
  awaiting: number;
  resent: number;
  /** Records released from the log by data-acks. */
  released: number;
  /** data-acks received. */
  acks: number;
}

export class AppAckWindow {
  readonly stats: AppAckStats = { awaiting: 0, resent: 0, released: 0, acks: 0 };
  readonly #store: StoreAndForward;
  readonly #clock: Clock;
  readonly #o: Required<AppAckOptions>;
  /** By log record number. */
  readonly #inFlight = new Map<number, InFlight>();
  #nextSeq: number;
  /** When the last A bit went out with no data-ack since; undefined when none is outstanding. */
  #requestedAtMs: number | undefined;
  #timeoutMs: number;

  constructor(store: StoreAndForward, clock: Clock, options: AppAckOptions = {}) {
    this.#store = store;
    this.#clock = clock;
    this.#o = { ...APP_ACK_DEFAULTS, ...options };
    this.#nextSeq = store.nextSeq % SEQ_MODULUS;
    this.#timeoutMs = this.#o.ackTimeoutMs;
  }

  /** Bytes the sequenced wrapper adds to a frame (the encoder cuts frames this much smaller). */
  get overheadBytes(): number {
    return SEQUENCED_OVERHEAD_BYTES;
  }

  /** The data frame to send now, if any: a resend that is due, else the next new frame while the window has room. */
  next(maxPayloadBytes: number): DataSend | { recut: StoredRecord } | undefined {
    const now = this.#clock.now();
    const records = this.#store.peek(this.#o.window, 'reading');
    this.#dueProbe(now, records);
    let awaiting = 0;
    for (const record of records) {
      const flight = this.#inFlight.get(record.seq);
      if (flight === undefined) continue;
      if (!flight.acked) awaiting++;
      if (flight.resendNow && !flight.acked) return { record, seq: flight.seq, ackRequested: true, resend: true };
    }
    if (awaiting >= this.#o.window) return undefined;
    const index = records.findIndex((r) => !this.#inFlight.has(r.seq));
    if (index < 0) return undefined;
    const record = records[index];
    if (record.payload.length + SEQUENCED_OVERHEAD_BYTES > maxPayloadBytes) {
      // Too large since ADR lowered the limit: re-cut it once it heads the log (the log acknowledges in order).
      return index === 0 ? { recut: record } : undefined;
    }
    const oldest = this.#oldestAwaitingMs();
    const ackRequested = awaiting + 1 >= this.#o.requestAfter || (oldest !== undefined && now - oldest >= this.#o.requestAfterMs);
    return { record, seq: this.#nextSeq, ackRequested, resend: false };
  }

  /**
   * The frame `next()` gave goes on the air now. Called before the send, not
   * after: the data-ack can arrive in this very transaction's receive window.
   */
  sending(send: DataSend): void {
    const now = this.#clock.now();
    const flight = this.#inFlight.get(send.record.seq);
    if (flight === undefined) {
      this.#inFlight.set(send.record.seq, { seq: send.seq, firstSentMs: now, lastSentMs: now, acked: false, resendNow: false });
      this.#nextSeq = (send.seq + 1) % SEQ_MODULUS;
    } else {
      flight.lastSentMs = now;
      flight.resendNow = false;
      this.stats.resent++;
    }
    if (send.ackRequested && this.#requestedAtMs === undefined) this.#requestedAtMs = now;
    this.#count();
  }

  /**
   * A data-ack arrived: mark what it names, schedule what it reports missing,
   * release the acknowledged head of the log. Returns the records released.
   */
  acknowledged(base: number, seqs: readonly number[]): number {
    this.stats.acks++;
    const named = new Set(seqs);
    for (const flight of this.#inFlight.values()) {
      if (named.has(flight.seq)) {
        flight.acked = true;
        flight.resendNow = false;
      } else if (!flight.acked && (flight.seq - base + SEQ_MODULUS) % SEQ_MODULUS < DATA_ACK_SPAN) {
        // Inside the span the platform looked at, and not there: lost on the way.
        flight.resendNow = true;
      }
    }
    this.#requestedAtMs = undefined;
    this.#timeoutMs = this.#o.ackTimeoutMs;
    return this.#release();
  }

  /** The network answered (an alert was acknowledged): an unanswered request is repeated at once, not after its back-off. */
  networkAlive(): void {
    if (this.#requestedAtMs === undefined) return;
    this.#timeoutMs = this.#o.ackTimeoutMs;
    this.#requestedAtMs = this.#clock.now() - this.#timeoutMs;
  }

  /** Clock ms until a probe falls due (the sender sleeps until then), undefined when nothing awaits. */
  dueInMs(): number | undefined {
    const now = this.#clock.now();
    if (this.#requestedAtMs !== undefined) return Math.max(0, this.#requestedAtMs + this.#timeoutMs - now);
    const oldest = this.#oldestAwaitingMs();
    // Asking rides the next new frame; resend one only when no new frame came for long.
    return oldest === undefined ? undefined : Math.max(0, oldest + 2 * this.#o.requestAfterMs - now);
  }

  /** Forget what is in flight (the log was re-cut or restarted): everything unacknowledged is sent again. */
  forget(recordSeq: number): void {
    this.#inFlight.delete(recordSeq);
    this.#count();
  }

  /** An unanswered request past its timeout (or an old frame never asked about): the oldest awaiting frame is resent with A. */
  #dueProbe(now: number, records: readonly StoredRecord[]): void {
    const due = this.dueInMs();
    if (due === undefined || due > 0) return;
    for (const record of records) {
      const flight = this.#inFlight.get(record.seq);
      if (flight === undefined || flight.acked) continue;
      if (!flight.resendNow) flight.resendNow = true;
      break;
    }
    if (this.#requestedAtMs !== undefined) this.#timeoutMs = Math.min(this.#o.maxAckTimeoutMs, this.#timeoutMs * 2);
    this.#requestedAtMs = now;
  }

  #oldestAwaitingMs(): number | undefined {
    let oldest: number | undefined;
    for (const flight of this.#inFlight.values()) if (!flight.acked && (oldest === undefined || flight.firstSentMs < oldest)) oldest = flight.firstSentMs;
    return oldest;
  }

  /** Acknowledge the log's head while it is acknowledged. */
  #release(): number {
    let last: number | undefined;
    for (const record of this.#store.peek(this.#o.window, 'reading')) {
      const flight = this.#inFlight.get(record.seq);
      if (flight === undefined || !flight.acked) break;
      last = record.seq;
      this.#inFlight.delete(record.seq);
    }
    const released = last === undefined ? 0 : this.#store.ack(last);
    this.stats.released += released;
    this.#count();
    return released;
  }

  #count(): void {
    let awaiting = 0;
    for (const flight of this.#inFlight.values()) if (!flight.acked) awaiting++;
    this.stats.awaiting = awaiting;
  }
}
