/**
 * Application-level acknowledgement (docs/app-ack.md): the gateway's side of
 * a sliding window over one of the store's queues. The reading queue always
 * has one (one record per frame); the alert queue has one when alerts go
 * unconfirmed too (a frame then carries an alert group: several records).
 * Both windows draw their numbers from one `SequenceCounter`, so the
 * platform sees one sequence space and one data-ack covers both.
 *
 * A frame goes on the air unconfirmed, wrapped with an application sequence
 * number (drivers/batch/sequenced.ts), and stays in the log until the
 * platform's data-ack names it. The log releases records in order (its
 * acknowledgement is cumulative), so a frame acknowledged ahead of an older
 * one waits in RAM as "acked" until the older one is acknowledged too.
 *
 * When to ask for an acknowledgement (the A bit): once `requestAfter` frames
 * await one, or the oldest has waited `requestAfterMs`, and on the last
 * frame of a run of resends (one data-ack then answers the run).
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
import { seededRandom } from '../lorawan/mac/random.js';
import type { RecordKind, StoreAndForward, StoredRecord } from '../store/store.js';

export interface AppAckOptions {
  /** Frames on the air awaiting the platform's acknowledgement, at most (default 32). */
  window?: number;
  /** Set the A bit once this many frames await an acknowledgement (default 16). */
  requestAfter?: number;
  /** …or once the oldest has waited this long, ms (default 60 min). */
  requestAfterMs?: number;
  /** An unanswered request is repeated (the oldest frame resent) after this long, ms (default 60 s)… */
  ackTimeoutMs?: number;
  /** …doubling per unanswered request up to this, ms (default 16 min). */
  maxAckTimeoutMs?: number;
  /** Frames reported missing ask for a data-ack when resent (the last of a run): alerts yes, data no (the next request covers them). */
  askOnResend?: boolean;
  /**
   * Transmissions of every frame before it only waits for the data-ack:
   * data 1, alerts 4. The copies go after any newer frame of the queue (a
   * storm's later alerts are not held back by an earlier one's copies) and
   * cost no downlink, where a confirmed frame costs one each.
   */
  copies?: number;
  /**
   * Each copy waits a random 0…this after the frame before it ended, ms:
   * gateways whose alarms fired in the same second (a storm crossing a
   * district) would otherwise send their copies in step and collide again.
   */
  copyJitterMs?: number;
  /** A copy waits at most this long for the air (a duty cycle); longer, and the frame's copies are dropped, ms. */
  copyMaxAirWaitMs?: number;
}

export const APP_ACK_DEFAULTS = {
  window: 32,
  requestAfter: 16,
  requestAfterMs: 60 * 60_000,
  ackTimeoutMs: 60_000,
  maxAckTimeoutMs: 16 * 60_000,
  askOnResend: false,
  copies: 1,
  copyJitterMs: 0,
  copyMaxAirWaitMs: 0,
} as const;

/**
 * The alert window's defaults. Alerts are few and each matters: ask after 8
 * frames (a storm), otherwise let the data's data-acks cover them (one
 * sequence), and during an outage probe at most every 4 minutes, so the
 * alerts go out within minutes of the network's return, not a data probe's 16.
 */
export const ALERT_ACK_DEFAULTS = {
  window: 16,
  requestAfter: 8,
  requestAfterMs: 60 * 60_000,
  ackTimeoutMs: 60_000,
  maxAckTimeoutMs: 4 * 60_000,
  askOnResend: true,
  copies: 4,
  copyJitterMs: 1500,
  copyMaxAirWaitMs: 10_000,
} as const;

/** The next application sequence number, shared by the windows of one gateway, and whether one of them has asked for a data-ack. */
export class SequenceCounter {
  next: number;
  /** When a frame of either window last asked (A) with no data-ack since: the other window then does not ask too. */
  requestedAtMs: number | undefined;
  constructor(start: number) {
    this.next = start % SEQ_MODULUS;
  }
}

/**
 * How a window makes frames of its queue's records, starting at the oldest
 * record not on the air: `count` records in one frame of `payload`, a record
 * to re-cut (a reading grown larger than the limit), or nothing that fits.
 */
export type FrameMaker = (records: readonly StoredRecord[], maxBytes: number) => { payload: Uint8Array; count: number } | { recut: StoredRecord } | undefined;

/** One record, one frame: the reading queue. */
export const oneRecordPerFrame: FrameMaker = (records, maxBytes) => {
  const record = records[0];
  return record.payload.length <= maxBytes ? { payload: record.payload, count: 1 } : { recut: record };
};

/** A frame to put on the air now. */
export interface DataSend {
  /** The first record the frame carries (its key in the window). */
  record: StoredRecord;
  /** Records the frame carries, from `record` on, and the log number of the last one. */
  count: number;
  lastRecord: number;
  /** The message to wrap (drivers/batch/sequenced.ts). */
  payload: Uint8Array;
  seq: number;
  ackRequested: boolean;
  /** Sent before: reported missing, a probe, or `copy`. */
  resend: boolean;
  /** One of the frame's planned copies (not a repair). */
  copy: boolean;
}

interface InFlight {
  seq: number;
  /** Log record number of the frame's last record. */
  lastRecord: number;
  payload: Uint8Array;
  firstSentMs: number;
  lastSentMs: number;
  acked: boolean;
  /** The platform reported it missing, or it is the probe of an unanswered request. */
  resendNow: boolean;
  /** The probe: it asks whatever else is resent. */
  probe: boolean;
  /** Planned copies still to send, and when the next may go (set once the frame before it has ended). */
  copiesLeft: number;
  copyAtMs: number | undefined;
}

export interface AppAckWindowSetup {
  /** The queue the window serves (default 'reading'). */
  queue?: RecordKind;
  /** Numbers shared with the gateway's other window (default: a counter of its own). */
  sequence?: SequenceCounter;
  /** How records become frames (default one record per frame). */
  frames?: FrameMaker;
  /** Records one frame can carry at most (default 1): how far the window looks into its queue. */
  recordsPerFrame?: number;
  /** Randomness for the copies' jitter (a host passes its entropy; default a fixed seed). */
  random?: () => number;
}

export interface AppAckStats {
  /** Frames on the air awaiting acknowledgement. */
  awaiting: number;
  /** Frames sent again to repair a loss (reported missing, or a probe). */
  resent: number;
  /** Planned copies sent (`copies`). */
  copies: number;
  /** Records released from the log by data-acks. */
  released: number;
  /** data-acks received. */
  acks: number;
}

export class AppAckWindow {
  readonly stats: AppAckStats = { awaiting: 0, resent: 0, copies: 0, released: 0, acks: 0 };
  readonly #store: StoreAndForward;
  readonly #clock: Clock;
  readonly #o: Required<AppAckOptions>;
  /** By the log record number of the frame's first record. */
  readonly #inFlight = new Map<number, InFlight>();
  readonly #sequence: SequenceCounter;
  readonly #queue: RecordKind;
  readonly #frames: FrameMaker;
  readonly #lookahead: number;
  readonly #random: () => number;
  /** When the last A bit went out with no data-ack since; undefined when none is outstanding. */
  #requestedAtMs: number | undefined;
  #timeoutMs: number;
  /** A frame reported missing was re-packed into new frames (alerts, after ADR lowered the limit): the next new frame asks. */
  #repackedAsks = false;

  constructor(store: StoreAndForward, clock: Clock, options: AppAckOptions = {}, setup: AppAckWindowSetup = {}) {
    this.#store = store;
    this.#clock = clock;
    this.#queue = setup.queue ?? 'reading';
    this.#o = { ...(this.#queue === 'alert' ? ALERT_ACK_DEFAULTS : APP_ACK_DEFAULTS), ...options };
    this.#sequence = setup.sequence ?? new SequenceCounter(store.nextSeq);
    this.#frames = setup.frames ?? oneRecordPerFrame;
    this.#lookahead = this.#o.window * (setup.recordsPerFrame ?? 1);
    this.#random = setup.random ?? seededRandom(store.nextSeq);
    this.#timeoutMs = this.#o.ackTimeoutMs;
  }

  /** Bytes the sequenced wrapper adds to a frame (the encoder cuts frames this much smaller). */
  get overheadBytes(): number {
    return SEQUENCED_OVERHEAD_BYTES;
  }

  /** The frame to send now, if any: a resend that is due, else the next new frame while the window has room, else a planned copy (or the wait for it). */
  next(maxPayloadBytes: number): DataSend | { recut: StoredRecord } | { waitMs: number } | undefined {
    const now = this.#clock.now();
    const records = this.#store.peek(this.#lookahead, this.#queue);
    this.#dueProbe(now, records, maxPayloadBytes);
    let awaiting = 0;
    let firstNew = -1;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const flight = this.#inFlight.get(record.seq);
      if (flight === undefined) {
        if (firstNew < 0) firstNew = i;
        continue;
      }
      if (flight.resendNow && !flight.acked && !fits(flight, maxPayloadBytes)) {
        // ADR lowered the limit since it first went, and its number is given up. Alerts are re-packed at once: the
        // flight is forgotten, so its records go again as new frames that fit. A reading frame is re-cut once it
        // heads the log (the log acknowledges in order); until then it waits, and a probe asks by another frame.
        if (this.#queue === 'alert') {
          this.#inFlight.delete(record.seq);
          if (this.#o.askOnResend) this.#repackedAsks = true;
          this.#count();
          if (firstNew < 0) firstNew = i;
          continue;
        }
        if (i === 0) return { recut: record };
        awaiting++;
        continue;
      }
      if (!flight.acked) awaiting++;
      if (flight.resendNow && !flight.acked) {
        // A probe asks. A run of alert resends asks once, on its last frame, so one data-ack answers them all and
        // a second loss is known within a timeout. Data resends do not ask: the next request covers them.
        const lastOfRun = ![...this.#inFlight.values()].some((f) => f !== flight && f.resendNow && !f.acked);
        const ackRequested = flight.probe || (this.#o.askOnResend && lastOfRun);
        return { record, count: this.#countTo(records, i, flight.lastRecord), lastRecord: flight.lastRecord, payload: flight.payload, seq: flight.seq, ackRequested, resend: true, copy: false };
      }
      while (i + 1 < records.length && records[i + 1].seq <= flight.lastRecord) i++;
    }
    const fresh = awaiting < this.#o.window && firstNew >= 0 ? this.#newFrame(records, firstNew, awaiting, maxPayloadBytes, now) : undefined;
    return fresh ?? this.#copy(records, now, maxPayloadBytes);
  }

  /**
   * The next planned copy: of the frame with the most copies left (the
   * oldest of those), so frames raised together get their copies in turn.
   * The copy when due, else how long until it is: the sender waits for it
   * rather than send data in between, so the copies follow their frame
   * closely and a lost first copy is not taken for a lost frame.
   */
  #copy(records: readonly StoredRecord[], now: number, maxPayloadBytes: number): DataSend | { waitMs: number } | undefined {
    let best: { index: number; flight: InFlight } | undefined;
    for (let i = 0; i < records.length; i++) {
      const flight = this.#inFlight.get(records[i].seq);
      if (flight === undefined) continue;
      if (flight.copiesLeft > 0 && !fits(flight, maxPayloadBytes)) {
        // ADR lowered the limit since the frame went: its copies can no longer go.
        flight.copiesLeft = 0;
        flight.copyAtMs = undefined;
      }
      if (!flight.acked && flight.copiesLeft > (best?.flight.copiesLeft ?? 0)) best = { index: i, flight };
      while (i + 1 < records.length && records[i + 1].seq <= flight.lastRecord) i++;
    }
    if (best === undefined) return undefined;
    const { index, flight } = best;
    // Asked after the transmission before has ended: the jitter counts from there.
    flight.copyAtMs ??= now + this.#random() * this.#o.copyJitterMs;
    if (flight.copyAtMs > now) return { waitMs: flight.copyAtMs - now };
    return { record: records[index], count: this.#countTo(records, index, flight.lastRecord), lastRecord: flight.lastRecord, payload: flight.payload, seq: flight.seq, ackRequested: false, resend: true, copy: true };
  }

  #newFrame(records: readonly StoredRecord[], firstNew: number, awaiting: number, maxPayloadBytes: number, now: number): DataSend | { recut: StoredRecord } | undefined {
    // The records not yet on the air, up to the next one that is (a frame never straddles one).
    let end = firstNew + 1;
    while (end < records.length && !this.#inFlight.has(records[end].seq)) end++;
    const frame = this.#frames(records.slice(firstNew, end), maxPayloadBytes - SEQUENCED_OVERHEAD_BYTES);
    if (frame === undefined) return undefined;
    if ('recut' in frame) {
      // Too large since ADR lowered the limit: re-cut it once it heads the log (the log acknowledges in order).
      return firstNew === 0 ? frame : undefined;
    }
    const oldest = this.#oldestAwaitingMs();
    // One request at a time: while one is unanswered, its timeout (the probe) repeats it, not every new frame.
    const ackRequested = this.#repackedAsks || (this.#sequence.requestedAtMs === undefined
      && (awaiting + 1 >= this.#o.requestAfter || (oldest !== undefined && now - oldest >= this.#o.requestAfterMs)));
    const lastRecord = records[firstNew + frame.count - 1].seq;
    return { record: records[firstNew], count: frame.count, lastRecord, payload: frame.payload, seq: this.#sequence.next, ackRequested, resend: false, copy: false };
  }

  #countTo(records: readonly StoredRecord[], from: number, lastRecord: number): number {
    let count = 0;
    for (let i = from; i < records.length && records[i].seq <= lastRecord; i++) count++;
    return count;
  }

  /**
   * The frame `next()` gave goes on the air now. Called before the send, not
   * after: the data-ack can arrive in this very transaction's receive window.
   */
  sending(send: DataSend): void {
    const now = this.#clock.now();
    const flight = this.#inFlight.get(send.record.seq);
    if (flight === undefined) {
      this.#inFlight.set(send.record.seq, { seq: send.seq, lastRecord: send.lastRecord, payload: send.payload, firstSentMs: now, lastSentMs: now, acked: false, resendNow: false, probe: false, copiesLeft: this.#o.copies - 1, copyAtMs: undefined });
      this.#sequence.next = (send.seq + 1) % SEQ_MODULUS;
    } else if (send.copy) {
      flight.lastSentMs = now;
      flight.copiesLeft--;
      flight.copyAtMs = undefined;
      this.stats.copies++;
    } else {
      flight.lastSentMs = now;
      flight.resendNow = false;
      flight.probe = false;
      this.stats.resent++;
    }
    if (send.ackRequested) this.#repackedAsks = false;
    if (send.ackRequested && this.#requestedAtMs === undefined) this.#requestedAtMs = now;
    if (send.ackRequested && this.#sequence.requestedAtMs === undefined) this.#sequence.requestedAtMs = now;
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
    this.#sequence.requestedAtMs = undefined;
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
    let copyAt: number | undefined;
    for (const flight of this.#inFlight.values()) {
      if (!flight.acked && flight.copyAtMs !== undefined && (copyAt === undefined || flight.copyAtMs < copyAt)) copyAt = flight.copyAtMs;
    }
    const copyIn = copyAt === undefined ? undefined : Math.max(0, copyAt - now);
    const probeIn = this.#probeDueInMs(now);
    return probeIn === undefined ? copyIn : copyIn === undefined ? probeIn : Math.min(probeIn, copyIn);
  }

  /** Clock ms until a probe falls due, undefined when nothing awaits. */
  #probeDueInMs(now: number): number | undefined {
    if (this.#requestedAtMs !== undefined) return Math.max(0, this.#requestedAtMs + this.#timeoutMs - now);
    const oldest = this.#oldestAwaitingMs();
    // Asking rides the next new frame; resend one only when no new frame came for long.
    return oldest === undefined ? undefined : Math.max(0, oldest + 2 * this.#o.requestAfterMs - now);
  }

  /** A copy that must wait `airWaitMs` for the air (a duty cycle) is worth waiting for. */
  copyWorthWaiting(airWaitMs: number): boolean {
    return airWaitMs <= this.#o.copyMaxAirWaitMs;
  }

  /** The frame's planned copies are not sent (the air is not free for them). */
  dropCopies(send: DataSend): void {
    const flight = this.#inFlight.get(send.record.seq);
    if (flight === undefined) return;
    flight.copiesLeft = 0;
    flight.copyAtMs = undefined;
  }

  /**
   * The queue's head is not on the air and, alone, does not fit a sequenced
   * frame of `maxPayloadBytes` (an alert at US915 DR0): it must go another
   * way. That way sends only records before the first one on the air
   * (notOnAirPrefix), so its cumulative acknowledgement cannot release a
   * frame awaiting its data-ack.
   */
  headTooLarge(maxPayloadBytes: number): boolean {
    const head = this.#store.peek(1, this.#queue)[0];
    return head !== undefined && !this.#inFlight.has(head.seq) && this.#frames([head], maxPayloadBytes - SEQUENCED_OVERHEAD_BYTES) === undefined;
  }

  /** How many of the queue's oldest records, up to `limit`, are not on the air: what another way may send and release. */
  notOnAirPrefix(limit: number): number {
    const records = this.#store.peek(limit, this.#queue);
    let i = 0;
    while (i < records.length && !this.#inFlight.has(records[i].seq)) i++;
    return i;
  }

  /** Forget what is in flight (the log was re-cut or restarted): everything unacknowledged is sent again. */
  forget(recordSeq: number): void {
    this.#inFlight.delete(recordSeq);
    this.#count();
  }

  /**
   * An unanswered request past its timeout (or an old frame never asked
   * about): the oldest awaiting frame that can go is resent with A. A reading
   * frame grown larger than the limit cannot, until it heads the log and is
   * re-cut; counting it as a resend under way would hold the probe back while
   * nothing is sent, until the platform's own period.
   */
  #dueProbe(now: number, records: readonly StoredRecord[], maxPayloadBytes: number): void {
    const due = this.#probeDueInMs(now);
    if (due === undefined || due > 0) return;
    const canGo = (flight: InFlight, index: number) => fits(flight, maxPayloadBytes) || this.#queue === 'alert' || index === 0;
    // Resends are under way: the last of them asks.
    for (let i = 0; i < records.length; i++) {
      const flight = this.#inFlight.get(records[i].seq);
      if (flight !== undefined && flight.resendNow && !flight.acked && canGo(flight, i)) return;
    }
    for (let i = 0; i < records.length; i++) {
      const flight = this.#inFlight.get(records[i].seq);
      if (flight === undefined || flight.acked || !canGo(flight, i)) continue;
      flight.resendNow = true;
      flight.probe = true;
      break;
    }
    if (this.#requestedAtMs !== undefined) this.#timeoutMs = Math.min(this.#o.maxAckTimeoutMs, this.#timeoutMs * 2);
    this.#requestedAtMs = now;
  }

  #oldestAwaitingMs(): number | undefined {
    let oldest: number | undefined;
    // From the last transmission: a frame resent has just been asked about again.
    for (const flight of this.#inFlight.values()) if (!flight.acked && (oldest === undefined || flight.lastSentMs < oldest)) oldest = flight.lastSentMs;
    return oldest;
  }

  /** Acknowledge the log's head while it is acknowledged. */
  #release(): number {
    let last: number | undefined;
    for (const record of this.#store.peek(this.#lookahead, this.#queue)) {
      if (last !== undefined && record.seq <= last) continue; // inside the frame just released
      const flight = this.#inFlight.get(record.seq);
      if (flight === undefined || !flight.acked) break;
      last = flight.lastRecord;
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

/** The flight, wrapped, still fits a frame of `maxPayloadBytes`. */
function fits(flight: InFlight, maxPayloadBytes: number): boolean {
  return flight.payload.length + SEQUENCED_OVERHEAD_BYTES <= maxPayloadBytes;
}
