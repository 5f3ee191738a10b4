/**
 * The regional rules the MAC needs beyond drivers/lorawan/regions' fixed
 * facts (RP002): TX power steps, how LinkADRReq's ChMaskCntl addresses
 * channels, and the data rates join requests cycle through. Kept here, next
 * to the MAC, because they describe MAC behaviour rather than the band.
 */
import type { LoraModulation } from '../../ports/radio.js';
import type { Region, RegionName } from '../regions/index.js';

export interface MacRegionRules {
  /** Highest TXPower index LinkADRReq may ask for (index 0 = max EIRP, each step −2 dB). */
  maxTxPowerIndex: number;
  /**
   * Apply one LinkADRReq channel mask to `enabled` (indexed by channel).
   * Returns the new mask, or undefined when ChMaskCntl is not valid here.
   */
  applyChannelMask(enabled: readonly boolean[], chMaskCntl: number, chMask: number, isDefined: (index: number) => boolean): boolean[] | undefined;
  /** Data rates join requests use, in order; the list repeats. */
  joinDataRates: readonly number[];
  /** Join attempts at each data rate before stepping to the next. */
  joinAttemptsPerDataRate: number;
}

/** EU868, AS923: up to 16 channels; ChMaskCntl 0 = this mask, 6 = every defined channel on. */
function dynamicPlanMask(enabled: readonly boolean[], cntl: number, mask: number, isDefined: (index: number) => boolean): boolean[] | undefined {
  if (cntl === 6) return enabled.map((_, i) => isDefined(i));
  if (cntl !== 0) return undefined;
  return enabled.map((_, i) => i < 16 && (mask & (1 << i)) !== 0);
}

/** CN470 (96 channels): ChMaskCntl 0–5 = bank of 16 channels, 6 = all on. */
function cn470Mask(enabled: readonly boolean[], cntl: number, mask: number): boolean[] | undefined {
  if (cntl === 6) return enabled.map(() => true);
  if (cntl > 5) return undefined;
  return enabled.map((on, i) => (i >= cntl * 16 && i < cntl * 16 + 16 ? (mask & (1 << (i - cntl * 16))) !== 0 : on));
}

/**
 * US915 (64 × 125 kHz + 8 × 500 kHz): ChMaskCntl 0–3 = bank of 16 × 125 kHz,
 * 4 = the 500 kHz channels 64–71, 6/7 = all 125 kHz channels on/off with the
 * mask's low 8 bits for 64–71.
 */
function us915Mask(enabled: readonly boolean[], cntl: number, mask: number): boolean[] | undefined {
  const bit = (i: number) => (mask & (1 << i)) !== 0;
  if (cntl <= 3) return enabled.map((on, i) => (i >= cntl * 16 && i < cntl * 16 + 16 ? bit(i - cntl * 16) : on));
  if (cntl === 4) return enabled.map((on, i) => (i >= 64 ? bit(i - 64) : on));
  if (cntl === 6 || cntl === 7) return enabled.map((_, i) => (i < 64 ? cntl === 6 : bit(i - 64)));
  return undefined;
}

const RULES: Readonly<Record<RegionName, MacRegionRules>> = {
  EU868: { maxTxPowerIndex: 7, applyChannelMask: dynamicPlanMask, joinDataRates: [5, 4, 3, 2, 1, 0], joinAttemptsPerDataRate: 2 },
  AS923: { maxTxPowerIndex: 7, applyChannelMask: dynamicPlanMask, joinDataRates: [5, 4, 3, 2], joinAttemptsPerDataRate: 2 },
  CN470: { maxTxPowerIndex: 7, applyChannelMask: cn470Mask, joinDataRates: [5, 4, 3, 2, 1], joinAttemptsPerDataRate: 2 },
  // RP002: US915 join requests alternate between a 125 kHz channel at DR0 and a 500 kHz channel at DR4.
  US915: { maxTxPowerIndex: 14, applyChannelMask: us915Mask, joinDataRates: [0, 4], joinAttemptsPerDataRate: 1 },
};

export function macRulesFor(region: Region): MacRegionRules {
  return RULES[region.name];
}

/** EIRP for a TXPower index: max EIRP − 2 dB per step (RP002 for all four regions). */
export function txPowerDbm(maxEirpDbm: number, index: number): number {
  return maxEirpDbm - 2 * index;
}

/** The LoRa settings of a data rate, or undefined for FSK / undefined DRs (the Radio port is LoRa only). */
export function loraModulation(region: Region, dr: number): LoraModulation | undefined {
  try {
    const rate = region.dataRate(dr);
    return rate.modulation === 'lora' ? { sf: rate.sf, bw: rate.bw } : undefined;
  } catch {
    return undefined;
  }
}

/** Max application payload at `dr`, or undefined where the DR carries none (CN470 DR0, AS923 DR0–1 under dwell). */
export function maxPayloadAt(region: Region, dr: number, dwellTime: 0 | 400): number | undefined {
  try {
    return region.maxPayload(dr, { dwellTime });
  } catch {
    return undefined;
  }
}
