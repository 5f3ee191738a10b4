/**
 * What a base station's concentrator (SX1302-class, as in a LoRa Basics
 * Station or ChirpStack Concentratord gateway) allows, apart from the air:
 *  - it listens on a fixed set of uplink channels (8 × 125 kHz on an
 *    SX1302 with two SX1250 radios), not on every channel of the region;
 *  - it runs a fixed number of demodulators (16 on the SX1302): each packet
 *    whose preamble it detects holds one until the packet ends, and a
 *    preamble arriving while all are held is not received;
 *  - where the region limits duty cycle, its transmissions count against
 *    the sub-band (ETSI EN 300 220: 1 % in EU868 g1, 10 % in g3 where RX2
 *    sits), and a downlink that would break it is refused. The booking is the
 *    MAC's DutyCycleLimiter: off-time after each transmission (what Basics
 *    Station enforces per band) and no more than the share in any rolling hour.
 */
import { AxonError } from '../../drivers/errors.js';
import { DutyCycleLimiter, type DutyCycleBand } from '../../drivers/lorawan/mac/duty-cycle.js';

/** Demodulators of an SX1302 / SX1303 (Semtech datasheet: 16 "multi-SF" paths on 8 channels). */
export const SX1302_DEMODULATORS = 16;

export interface ConcentratorOptions {
  /** Uplink channel centre frequencies it listens on, Hz (an SX1302 board: 8). Default every frequency. */
  uplinkFrequenciesHz?: readonly number[];
  /** Packets demodulated at once (default 16, the SX1302's); Infinity for an ideal receiver. */
  demodulators?: number;
  /** The regulatory sub-band of a downlink frequency, when the region limits duty cycle there (default none). */
  dutyCycleBand?: (freqHz: number) => DutyCycleBand | undefined;
}

/** A downlink the concentrator will not send; `code` says why (the transport maps it to a TX_ACK error). */
export class DownlinkRefusedError extends AxonError {}

export class Concentrator {
  readonly #frequencies: ReadonlySet<number> | undefined;
  readonly #demodulators: number;
  readonly #dutyCycleBand: ((freqHz: number) => DutyCycleBand | undefined) | undefined;
  readonly #limiter = new DutyCycleLimiter();
  /** End times of the packets holding a demodulator. */
  #held: number[] = [];
  /** Highest share of an hour used by transmissions, per duty-cycled sub-band (0.01 = 1 %). */
  readonly busiestHourShare: Record<string, number> = {};

  constructor(options: ConcentratorOptions = {}) {
    this.#frequencies = options.uplinkFrequenciesHz === undefined ? undefined : new Set(options.uplinkFrequenciesHz);
    this.#demodulators = options.demodulators ?? SX1302_DEMODULATORS;
    this.#dutyCycleBand = options.dutyCycleBand;
  }

  listensOn(freqHz: number): boolean {
    return this.#frequencies === undefined || this.#frequencies.has(freqHz);
  }

  /** A preamble detected at `nowMs`: hold a demodulator until `endMs`, or false when every one is held. */
  lockDemodulator(nowMs: number, endMs: number): boolean {
    if (this.#held.length >= this.#demodulators) this.#held = this.#held.filter((end) => end > nowMs);
    if (this.#held.length >= this.#demodulators) return false;
    this.#held.push(endMs);
    return true;
  }

  /** Book a downlink against its sub-band's duty cycle, or throw DownlinkRefusedError (code DUTY_CYCLE) when it would break it. */
  bookDownlink(gatewayId: string, freqHz: number, atMs: number, airtimeMs: number): void {
    const band = this.#dutyCycleBand?.(freqHz);
    if (band === undefined || band.dutyCycle >= 1) return;
    const earliest = this.#limiter.earliestStart([band], airtimeMs, atMs);
    if (earliest > atMs) {
      throw new DownlinkRefusedError('DUTY_CYCLE', `gateway ${gatewayId}: a ${airtimeMs.toFixed(0)} ms downlink at ${atMs} ms would exceed the ${band.dutyCycle * 100} % duty cycle of sub-band ${band.name} (next possible at ${earliest} ms)`, {
        fix: 'send in another window (RX2) or later; fewer confirmed uplinks need fewer downlinks',
      });
    }
    this.#limiter.record([band], atMs, airtimeMs);
    const share = this.#limiter.airtimeSince(band.name, atMs + airtimeMs - this.#limiter.windowMs) / this.#limiter.windowMs;
    this.busiestHourShare[band.name] = Math.max(this.busiestHourShare[band.name] ?? 0, share);
  }
}
