/**
 * The device's channel plan: the region's default channels, channels added by
 * a join accept CFList or NewChannelReq, the enabled mask LinkADRReq manages,
 * and per-channel RX1 frequencies from DlChannelReq. Channel choice is random
 * over the enabled channels that offer the data rate (LoRaWAN asks for a
 * pseudo-random hop so no channel carries every frame).
 */
import type { CfList } from '../cflist.js';
import type { Channel, Region } from '../regions/index.js';
import type { MacRegionRules } from './region-rules.js';
import { randomIndex } from './random.js';

/** EU868 and AS923 devices hold at most 16 channels (LinkADRReq addresses 16). */
const DYNAMIC_PLAN_CHANNELS = 16;

export class ChannelPlan {
  readonly #region: Region;
  readonly #rules: MacRegionRules;
  #channels: Array<Channel | undefined> = [];
  #enabled: boolean[] = [];
  #rx1Frequency = new Map<number, number>();
  readonly #dynamic: boolean;
  /** Default channels the device was provisioned to use (undefined: every default channel). */
  readonly #provisioned: ReadonlySet<number> | undefined;

  /**
   * `provisioned`: the default channels (by index) this device may use before
   * the network masks any, e.g. the 8-channel sub-band of a CN470 network whose
   * base stations hear 8 of the 96 channels. Join requests go out on these, and
   * a reset or an ADR back-off returns to them.
   */
  constructor(region: Region, rules: MacRegionRules, provisioned?: readonly number[]) {
    this.#region = region;
    this.#rules = rules;
    this.#dynamic = region.name === 'EU868' || region.name === 'AS923';
    this.#provisioned = provisioned === undefined ? undefined : new Set(provisioned);
    this.reset();
  }

  /** Back to the region's (or the provisioned) default channels, all enabled (join, ABP start). */
  reset(): void {
    const defaults = this.#region.uplinkChannels();
    const size = this.#dynamic ? DYNAMIC_PLAN_CHANNELS : defaults.length;
    this.#channels = Array.from({ length: size }, (_, i) => defaults.find((c) => c.index === i));
    this.enableAll();
    this.#rx1Frequency = new Map();
  }

  /** Re-enable every defined channel without forgetting added ones (ADR back-off); of the defaults, only the provisioned. */
  enableAll(): void {
    const defaults = this.#region.uplinkChannels().length;
    this.#enabled = this.#channels.map((c, i) => c !== undefined && (this.#provisioned === undefined || i >= defaults || this.#provisioned.has(i)));
  }

  /** Apply a join accept's CFList: extra frequencies (type 0) or channel masks (type 1). */
  applyCfList(cfList: CfList): void {
    if ('frequencies' in cfList && this.#dynamic) {
      const first = this.#region.uplinkChannels().length;
      const template = this.#region.uplinkChannels()[0];
      cfList.frequencies.forEach((hz, i) => {
        if (hz !== 0 && first + i < this.#channels.length) this.#define(first + i, hz, template.minDr, template.maxDr);
      });
    } else if ('channelMasks' in cfList && !this.#dynamic) {
      this.#enabled = this.#enabled.map((_, i) => this.#channels[i] !== undefined && (cfList.channelMasks[i >> 4] & (1 << (i & 15))) !== 0);
    }
  }

  /** NewChannelReq (EU868/AS923): define, change or (frequency 0) delete a channel. Returns [frequency ok, DR range ok]. */
  newChannel(index: number, frequency: number, minDr: number, maxDr: number): [boolean, boolean] {
    if (!this.#dynamic) return [false, false];
    const defaults = this.#region.uplinkChannels().length;
    const indexOk = index >= defaults && index < this.#channels.length;
    if (frequency === 0) {
      if (!indexOk) return [false, true];
      this.#channels[index] = undefined;
      this.#enabled[index] = false;
      return [true, true];
    }
    let frequencyOk = indexOk;
    try {
      this.#region.dutyCycleOf(frequency);
    } catch {
      frequencyOk = false;
    }
    const drOk = minDr <= maxDr && this.#region.uplinkDataRates.includes(minDr) && this.#region.uplinkDataRates.includes(maxDr);
    if (frequencyOk && drOk) this.#define(index, frequency, minDr, maxDr);
    return [frequencyOk, drOk];
  }

  /** DlChannelReq: RX1 frequency for uplinks on channel `index`. Returns [frequency ok, uplink channel exists]. */
  setRx1Frequency(index: number, frequency: number): [boolean, boolean] {
    const exists = this.#channels[index] !== undefined;
    let frequencyOk = this.#dynamic;
    try {
      this.#region.dutyCycleOf(frequency);
    } catch {
      frequencyOk = false;
    }
    if (frequencyOk && exists) this.#rx1Frequency.set(index, frequency);
    return [frequencyOk, exists];
  }

  /** RX1 frequency set by DlChannelReq for the channel at `uplinkFrequency`, if any. */
  rx1FrequencyFor(uplinkFrequency: number): number | undefined {
    const channel = this.#channels.find((c) => c?.frequency === uplinkFrequency);
    return channel === undefined ? undefined : this.#rx1Frequency.get(channel.index);
  }

  /**
   * Work out a LinkADRReq block's channel masks without applying them.
   * Returns the new enabled mask, or undefined when a mask is invalid
   * (unknown ChMaskCntl, a bit for an undefined channel, or nothing enabled).
   */
  previewMasks(masks: ReadonlyArray<{ chMaskCntl: number; chMask: number }>): boolean[] | undefined {
    let enabled: boolean[] | undefined = this.#enabled.slice();
    const isDefined = (i: number) => this.#channels[i] !== undefined;
    for (const { chMaskCntl, chMask } of masks) {
      enabled = this.#rules.applyChannelMask(enabled, chMaskCntl, chMask, isDefined);
      if (enabled === undefined) return undefined;
    }
    if (enabled.some((on, i) => on && !isDefined(i)) || !enabled.some((on) => on)) return undefined;
    return enabled;
  }

  setEnabled(enabled: readonly boolean[]): void {
    this.#enabled = enabled.slice();
  }

  /** Enabled channels that offer `dr`. */
  usable(dr: number): Channel[] {
    const out: Channel[] = [];
    this.#channels.forEach((c, i) => {
      if (c !== undefined && this.#enabled[i] && dr >= c.minDr && dr <= c.maxDr) out.push(c);
    });
    return out;
  }

  /** Would `dr` be usable with this mask (LinkADRReq checks DR and mask together)? */
  offers(dr: number, enabled: readonly boolean[] = this.#enabled): boolean {
    return this.#channels.some((c, i) => c !== undefined && enabled[i] && dr >= c.minDr && dr <= c.maxDr);
  }

  pick(candidates: readonly Channel[], random: () => number): Channel {
    return candidates[randomIndex(random, candidates.length)];
  }

  /** Enabled channels, for status pages and tests. */
  enabledChannels(): Channel[] {
    return this.#channels.filter((c, i): c is Channel => c !== undefined && this.#enabled[i]);
  }

  #define(index: number, frequency: number, minDr: number, maxDr: number): void {
    this.#channels[index] = { index, frequency, minDr, maxDr };
    this.#enabled[index] = true;
  }
}
