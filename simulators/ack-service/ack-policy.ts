/**
 * The platform side of application acknowledgements (docs/app-ack.md), the
 * part a platform team copies: per gateway, which sequenced frames arrived,
 * which are duplicates (drop their readings), and when to answer with a
 * data-ack downlink. Runtime-neutral and transport-free: the in-process form
 * (in-process.ts) and the MQTT service (mqtt-service.ts) feed it uplinks and
 * send what it returns.
 *
 * When it acknowledges (one downlink for many frames):
 *  - the gateway asked (the frame's A bit);
 *  - a gap: a sequence number skipped (a frame lost on the air), once a
 *    data frame shows it (the gateway sends alert copies before data) or it
 *    has stayed missing `gapGraceMs` (an alert's copies fill it before), so the
 *    gateway resends it without waiting for its timeout; not while the
 *    gateway is resending what the last data-ack reported missing (a run
 *    that ends with a frame asking for an ack);
 *  - a duplicate that asks (A): the gateway did not get the last data-ack
 *    (a duplicate that does not ask is one of an alert's planned copies);
 *  - on a period: `everyFrames` frames or `everyMs` since the oldest frame
 *    not yet acknowledged (a backstop; the gateway normally asks first).
 * The data-ack's base is the oldest sequence number it has news of (a frame
 * not yet acknowledged, or one known missing); its bitmap marks every frame
 * received in the 64 from the base, so a clear bit means "missing".
 */
import { SEQ_MODULUS } from '../../drivers/batch/sequenced.js';
import { DATA_ACK_SPAN, encodeDataAck } from '../../drivers/gateway/downlink.js';

export interface AckPolicyOptions {
  /** Acknowledge once this many frames await it, even unasked (default 24). */
  everyFrames?: number;
  /** …or once the oldest has waited this long, ms (default 60 min). */
  everyMs?: number;
  /** A skipped number is reported once it has stayed missing this long, ms (default 10 s: an alert's copies come within it). */
  gapGraceMs?: number;
}

export interface FrameVerdict {
  /** Seen before: the platform must not store its readings again. */
  duplicate: boolean;
  /** A data-ack to send to the gateway now (FPort `ACK_FPORT`), if one is due. */
  ack?: Uint8Array;
  /** Why the ack is due. */
  reason?: 'requested' | 'gap' | 'duplicate' | 'period';
}

/** The downlink FPort for data-acks: the gateway's configuration port (drivers/lorawan/mac/fport.ts). */
export const ACK_FPORT = 10;

/** How far `a` is ahead of `b` modulo the sequence space: negative when behind. */
function ahead(a: number, b: number): number {
  const d = (a - b + SEQ_MODULUS) % SEQ_MODULUS;
  return d >= SEQ_MODULUS / 2 ? d - SEQ_MODULUS : d;
}

/** How long a run of resends may take before a gap is news again, ms (a slow data rate under a duty cycle resends for minutes). */
const RESEND_RUN_MS = 10 * 60_000;

/** How many sequence numbers of the past each gateway's state remembers. */
const MEMORY = 256;

class GatewayAckState {
  readonly #received = new Set<number>();
  readonly #order: number[] = [];
  /** Received, not yet named in a data-ack sent. */
  #pending: number[] = [];
  /** Skipped numbers not received since, and when each was first missed. */
  readonly #missing = new Map<number, number>();
  #highest: number | undefined;
  #oldestPendingMs: number | undefined;
  /**
   * The last data-ack reported frames missing below the highest number heard:
   * the gateway is resending them (the last of the run asks with A). Until
   * that request, a number skipped inside the ack's span is not news.
   */
  #resendRun: { base: number; untilMs: number } | undefined;

  #inResendRun(seq: number, nowMs: number): boolean {
    // A run whose asking frame never came (the data-ack was lost, or the run's last frame was) ends after a while.
    if (this.#resendRun === undefined || nowMs >= this.#resendRun.untilMs) return false;
    const fromBase = ahead(seq, this.#resendRun.base);
    return fromBase >= 0 && fromBase < DATA_ACK_SPAN;
  }

  frame(seq: number, ackRequested: boolean, nowMs: number, o: Required<AckPolicyOptions>, carriesAlerts: boolean): FrameVerdict {
    const duplicate = this.#received.has(seq);
    if (!duplicate) {
      this.#remember(seq);
      this.#missing.delete(seq);
      const step = this.#highest === undefined ? 1 : ahead(seq, this.#highest);
      if (step > DATA_ACK_SPAN) {
        // Far ahead (a gateway restart, a long loss): start afresh rather than mark a range missing.
        this.#missing.clear();
      } else if (step > 1) {
        for (let s = 1; s < step; s++) this.#missing.set(((this.#highest as number) + s) % SEQ_MODULUS, nowMs);
      }
      if (step > 0 || step < -SEQ_MODULUS / 4) this.#highest = seq;
      // A number missing for longer than one data-ack reaches was given up by the gateway (a restart renumbers).
      for (const m of this.#missing.keys()) if (ahead(this.#highest as number, m) >= DATA_ACK_SPAN) this.#missing.delete(m);
    }
    // The gateway sends an alert's copies before any data: once a data frame comes, nothing missing is still on its way.
    if (!carriesAlerts) for (const m of this.#missing.keys()) this.#missing.set(m, -Infinity);
    const gap = this.#gapIsNews(nowMs, o.gapGraceMs);
    // The gateway asks at the end of a run of resends (and in every probe), and a run is over once every number it
    // reported has come.
    if (ackRequested || (this.#resendRun !== undefined && !this.#anyMissing((m) => this.#inResendRun(m, nowMs)))) this.#resendRun = undefined;
    if (!this.#pending.includes(seq)) this.#pending.push(seq);
    if (this.#oldestPendingMs === undefined) this.#oldestPendingMs = nowMs;
    // A duplicate that does not ask is one of an alert's planned copies: no news for the gateway.
    const reason = gap ? 'gap' : ackRequested ? (duplicate ? 'duplicate' : 'requested')
      : this.#pending.length >= o.everyFrames || nowMs - this.#oldestPendingMs >= o.everyMs ? 'period' : undefined;
    if (reason === undefined) return { duplicate };
    return { duplicate, ack: this.#ack(nowMs), reason };
  }

  /**
   * A number has been missing for the grace time (an alert's planned copies
   * arrive within it, and a newer alert may overtake them), and no run of
   * resends is under way that the last data-ack started by reporting it
   * (after an outage the alerts are resent first: the data numbers between
   * them come later).
   */
  #gapIsNews(nowMs: number, graceMs: number): boolean {
    for (const [m, since] of this.#missing) if (nowMs - since >= graceMs && !this.#inResendRun(m, nowMs)) return true;
    return false;
  }

  /** Some number still missing satisfies `test` (no array per frame: this runs for every uplink of a fleet). */
  #anyMissing(test: (seq: number) => boolean): boolean {
    for (const m of this.#missing.keys()) if (test(m)) return true;
    return false;
  }

  /** A data-ack from the oldest news on; what lies beyond its 64 numbers waits for the next one. */
  #ack(nowMs: number): Uint8Array {
    const reference = this.#highest ?? this.#pending[0];
    const news = [...this.#pending, ...this.#missing.keys()];
    let base = news[0];
    for (const s of news) if (ahead(s, reference) < ahead(base, reference)) base = s;
    const seqs: number[] = [];
    for (let i = 0; i < DATA_ACK_SPAN; i++) {
      const s = (base + i) % SEQ_MODULUS;
      if (this.#received.has(s)) seqs.push(s);
    }
    const covered = (s: number) => {
      const d = (s - base + SEQ_MODULUS) % SEQ_MODULUS;
      return d < DATA_ACK_SPAN;
    };
    this.#pending = this.#pending.filter((s) => !covered(s));
    const reportsMissing = this.#anyMissing(covered);
    this.#resendRun = reportsMissing ? { base, untilMs: nowMs + RESEND_RUN_MS } : undefined;
    this.#oldestPendingMs = this.#pending.length > 0 ? nowMs : undefined;
    return encodeDataAck(base, seqs);
  }

  #remember(seq: number): void {
    this.#received.add(seq);
    this.#order.push(seq);
    if (this.#order.length > MEMORY) this.#received.delete(this.#order.shift() as number);
  }
}

/** One per platform: the acknowledgement state of every gateway, by a key the caller chooses (the DevEUI). */
export class AckPolicy {
  readonly #gateways = new Map<string, GatewayAckState>();
  readonly #o: Required<AckPolicyOptions>;
  readonly stats = { frames: 0, duplicates: 0, acks: 0 };

  constructor(options: AckPolicyOptions = {}) {
    this.#o = { everyFrames: options.everyFrames ?? 24, everyMs: options.everyMs ?? 60 * 60_000, gapGraceMs: options.gapGraceMs ?? 10_000 };
  }

  /** A sequenced frame from `gateway` arrived (its seq and A bit from the uplink; `carriesAlerts`: an alert or alert group, not a batch). */
  frame(gateway: string, seq: number, ackRequested: boolean, nowMs: number, carriesAlerts = false): FrameVerdict {
    let state = this.#gateways.get(gateway);
    if (state === undefined) this.#gateways.set(gateway, (state = new GatewayAckState()));
    const verdict = state.frame(seq, ackRequested, nowMs, this.#o, carriesAlerts);
    this.stats.frames++;
    if (verdict.duplicate) this.stats.duplicates++;
    if (verdict.ack !== undefined) this.stats.acks++;
    return verdict;
  }
}

/** The seq and A bit of a sequenced Axon uplink (byte 0 0x14), and whether it wraps alerts (0x12, 0x15), straight from its bytes: no codec needed. */
export function sequenceOf(payload: Uint8Array): { seq: number; ackRequested: boolean; carriesAlerts: boolean } | undefined {
  if (payload.length < 4 || payload[0] !== 0x14) return undefined;
  const field = payload[1] * 256 + payload[2];
  return { seq: field & (SEQ_MODULUS - 1), ackRequested: (field & 0x8000) !== 0, carriesAlerts: payload[3] === 0x12 || payload[3] === 0x15 };
}
