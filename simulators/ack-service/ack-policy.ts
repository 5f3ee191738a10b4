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
 *  - a gap: a sequence number skipped (a frame lost on the air), so the
 *    gateway resends it without waiting for its timeout;
 *  - a duplicate: the gateway did not get the last data-ack;
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
  /** …or once the oldest has waited this long, ms (default 30 min). */
  everyMs?: number;
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

/** How many sequence numbers of the past each gateway's state remembers. */
const MEMORY = 256;

class GatewayAckState {
  readonly #received = new Set<number>();
  readonly #order: number[] = [];
  /** Received, not yet named in a data-ack sent. */
  #pending: number[] = [];
  /** Skipped numbers not received since. */
  readonly #missing = new Set<number>();
  #highest: number | undefined;
  #oldestPendingMs: number | undefined;

  frame(seq: number, ackRequested: boolean, nowMs: number, o: Required<AckPolicyOptions>): FrameVerdict {
    const duplicate = this.#received.has(seq);
    let gap = false;
    if (!duplicate) {
      this.#remember(seq);
      this.#missing.delete(seq);
      const step = this.#highest === undefined ? 1 : ahead(seq, this.#highest);
      if (step > DATA_ACK_SPAN) {
        // Far ahead (a gateway restart, a long loss): start afresh rather than mark a range missing.
        this.#missing.clear();
      } else if (step > 1) {
        gap = true;
        for (let s = 1; s < step; s++) this.#missing.add(((this.#highest as number) + s) % SEQ_MODULUS);
      }
      if (step > 0 || step < -SEQ_MODULUS / 4) this.#highest = seq;
      // A number missing for longer than one data-ack reaches was given up by the gateway (a restart renumbers).
      for (const m of this.#missing) if (ahead(this.#highest as number, m) >= DATA_ACK_SPAN) this.#missing.delete(m);
    }
    if (!this.#pending.includes(seq)) this.#pending.push(seq);
    if (this.#oldestPendingMs === undefined) this.#oldestPendingMs = nowMs;
    const reason = gap ? 'gap' : duplicate ? 'duplicate' : ackRequested ? 'requested'
      : this.#pending.length >= o.everyFrames || nowMs - this.#oldestPendingMs >= o.everyMs ? 'period' : undefined;
    if (reason === undefined) return { duplicate };
    return { duplicate, ack: this.#ack(nowMs), reason };
  }

  /** A data-ack from the oldest news on; what lies beyond its 64 numbers waits for the next one. */
  #ack(nowMs: number): Uint8Array {
    const reference = this.#highest ?? this.#pending[0];
    const news = [...this.#pending, ...this.#missing];
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
    this.#o = { everyFrames: options.everyFrames ?? 24, everyMs: options.everyMs ?? 30 * 60_000 };
  }

  /** A sequenced frame from `gateway` arrived (its seq and A bit from the uplink). */
  frame(gateway: string, seq: number, ackRequested: boolean, nowMs: number): FrameVerdict {
    let state = this.#gateways.get(gateway);
    if (state === undefined) this.#gateways.set(gateway, (state = new GatewayAckState()));
    const verdict = state.frame(seq, ackRequested, nowMs, this.#o);
    this.stats.frames++;
    if (verdict.duplicate) this.stats.duplicates++;
    if (verdict.ack !== undefined) this.stats.acks++;
    return verdict;
  }
}

/** The seq and A bit of a sequenced Axon uplink (byte 0 0x14), straight from its bytes: no codec needed. */
export function sequenceOf(payload: Uint8Array): { seq: number; ackRequested: boolean } | undefined {
  if (payload.length < 4 || payload[0] !== 0x14) return undefined;
  const field = payload[1] * 256 + payload[2];
  return { seq: field & (SEQ_MODULUS - 1), ackRequested: (field & 0x8000) !== 0 };
}
