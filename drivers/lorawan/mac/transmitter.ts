/**
 * Putting one frame on the air under the regional rules: pick a channel at
 * random among the enabled ones offering the data rate, wait until its
 * sub-band (and the aggregated DutyCycleReq limit, and for joins the join
 * back-off) has budget for the frame's airtime, transmit, and book the
 * airtime. When several channels are usable, only those whose bands are open
 * soonest are drawn from, so a frame never waits on a busy sub-band while
 * another is free.
 */
import { sleep, type Clock } from '../../ports/clock.js';
import type { Radio } from '../../ports/radio.js';
import { loraTimeOnAirMs } from '../airtime.js';
import type { Channel, Region } from '../regions/index.js';
import type { ChannelPlan } from './channels.js';
import type { DutyCycleBand, DutyCycleLimiter } from './duty-cycle.js';
import { LorawanMacError } from './errors.js';
import { loraModulation } from './region-rules.js';

export interface SentFrame {
  channel: Channel;
  dataRate: number;
  startMs: number;
  endMs: number;
  airtimeMs: number;
}

export interface TransmitterParts {
  region: Region;
  radio: Radio;
  clock: Clock;
  channels: ChannelPlan;
  limiter: DutyCycleLimiter;
  random: () => number;
}

export class Transmitter {
  readonly #p: TransmitterParts;
  /** 1/2^MaxDCycle from DutyCycleReq (1 = no aggregated limit). */
  aggregateDutyCycle = 1;

  constructor(parts: TransmitterParts) {
    this.#p = parts;
  }

  airtimeMs(dr: number, phyBytes: number): number {
    const modulation = this.#modulation(dr);
    return loraTimeOnAirMs({ sf: modulation.sf, bw: modulation.bw, phyPayloadBytes: phyBytes });
  }

  /** Bands a transmission on `frequency` counts against. */
  bandsFor(frequency: number, extra: readonly DutyCycleBand[] = []): DutyCycleBand[] {
    const subBand = this.#p.region.subBandOf(frequency);
    const bands: DutyCycleBand[] = [{ name: subBand?.name ?? 'band', dutyCycle: this.#p.region.dutyCycleOf(frequency) }];
    if (this.aggregateDutyCycle < 1) bands.push({ name: 'aggregate', dutyCycle: this.aggregateDutyCycle });
    return bands.concat(extra);
  }

  /** The earliest clock time a frame of `phyBytes` at `dr` could start on some usable channel (now or later). */
  earliestStart(dr: number, phyBytes: number): number {
    const { clock, channels, limiter } = this.#p;
    const airtimeMs = this.airtimeMs(dr, phyBytes);
    let soonest = Infinity;
    for (const c of channels.usable(dr)) soonest = Math.min(soonest, limiter.earliestStart(this.bandsFor(c.frequency), airtimeMs, clock.now()));
    return soonest;
  }

  async send(phy: Uint8Array, dr: number, powerDbm: number, extraBands: readonly DutyCycleBand[] = []): Promise<SentFrame> {
    const { radio, clock, channels, limiter, random } = this.#p;
    const modulation = this.#modulation(dr);
    const candidates = channels.usable(dr);
    if (candidates.length === 0) {
      throw new LorawanMacError('LORAWAN_CONFIG', `no enabled channel offers DR${dr}`, 'check the channel mask the network sent (LinkADRReq) and the configured data rate');
    }
    const airtimeMs = loraTimeOnAirMs({ sf: modulation.sf, bw: modulation.bw, phyPayloadBytes: phy.length });
    const startOf = (c: Channel) => limiter.earliestStart(this.bandsFor(c.frequency, extraBands), airtimeMs, clock.now());
    const starts = candidates.map(startOf);
    const soonest = Math.min(...starts);
    if (!Number.isFinite(soonest)) {
      throw new LorawanMacError('LORAWAN_CONFIG', `a ${airtimeMs.toFixed(0)} ms frame exceeds the duty-cycle budget of every usable band`, 'use a faster data rate or a shorter payload');
    }
    const channel = channels.pick(candidates.filter((_, i) => starts[i] === soonest), random);
    if (soonest > clock.now()) await sleep(clock, soonest - clock.now());
    const startMs = clock.now();
    const bands = this.bandsFor(channel.frequency, extraBands);
    // Book before transmitting: the budget is spent even if the radio fails mid-packet.
    limiter.record(bands, startMs, airtimeMs);
    const result = await radio.transmit({ freqHz: channel.frequency, sf: modulation.sf, bw: modulation.bw, powerDbm, payload: phy });
    return { channel, dataRate: dr, startMs, endMs: result.endMs, airtimeMs: result.airtimeMs };
  }

  #modulation(dr: number) {
    const modulation = loraModulation(this.#p.region, dr);
    if (modulation === undefined) {
      throw new LorawanMacError('LORAWAN_CONFIG', `DR${dr} of ${this.#p.region.name} is not a LoRa data rate`, 'the radio port sends LoRa only: use a LoRa data rate');
    }
    return modulation;
  }
}
