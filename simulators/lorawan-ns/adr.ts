/**
 * Data-rate arithmetic the network side needs: which DR an uplink's SF/BW
 * is, how much SNR it had to spare, and a deliberately simple ADR — move the
 * device up by one DR per 3 dB of margin (over the demodulation floor plus an
 * installation margin), never above DR5 (SF7/125 kHz), never down (devices
 * lower their data rate themselves with ADRACKReq).
 */
import type { Region } from '../../drivers/lorawan/regions/types.js';
import { linkAdrReq } from './mac-commands.js';

/** Semtech SX127x demodulation floor, dB, per spreading factor (7…12). */
const REQUIRED_SNR_DB: Readonly<Record<number, number>> = { 7: -7.5, 8: -10, 9: -12.5, 10: -15, 11: -17.5, 12: -20 };

export function requiredSnrDb(sf: number): number {
  return REQUIRED_SNR_DB[sf] ?? -20;
}

/** The region's uplink DR for a LoRa SF/BW, or undefined when the region has none. */
export function dataRateOf(region: Region, sf: number, bw: number): number | undefined {
  for (const dr of region.uplinkDataRates) {
    const rate = region.dataRate(dr);
    if (rate.modulation === 'lora' && rate.sf === sf && rate.bw === bw) return dr;
  }
  return undefined;
}

export interface AdrOptions {
  /** dB kept in reserve for fading (ChirpStack's default is 10). */
  installationMarginDb?: number;
  /** Uplinks with the ADR bit needed before the first decision (default 5; at most 20 are kept). */
  history?: number;
  /** Highest DR ADR may assign (default 5). */
  maxDr?: number;
}

export const ADR_HISTORY_MAX = 20;

/** The DR to ask for, or undefined to leave the device alone. */
export function adrTarget(currentDr: number, sf: number, snrHistory: readonly number[], options: AdrOptions = {}): number | undefined {
  if (snrHistory.length < (options.history ?? 5)) return undefined;
  const margin = Math.max(...snrHistory) - requiredSnrDb(sf) - (options.installationMarginDb ?? 10);
  const steps = Math.floor(margin / 3);
  const target = Math.min(options.maxDr ?? 5, currentDr + Math.max(0, steps));
  return target > currentDr ? target : undefined;
}

/**
 * LinkADRReq for `dataRate` that keeps every default channel on: EU868-like
 * plans enable their first channels in bank 0; US915 and CN470 use
 * ChMaskCntl 6 ("all 125 kHz channels on"; US915 then masks the 500 kHz ones).
 * With `channels` (a device held to a sub-band), a block of one request per
 * bank of 16 that holds any of them, each with that bank's mask; the banks it
 * does not name stay as the join accept's CFList left them (off).
 */
export function linkAdrReqFor(region: Region, dataRate: number, channels?: readonly number[]): Uint8Array {
  const base = { dataRate, txPower: 0, nbTrans: 1 };
  if (channels !== undefined && (region.name === 'US915' || region.name === 'CN470')) {
    const masks = bankMasks(channels);
    const block = new Uint8Array(5 * masks.size);
    let at = 0;
    for (const [bank, mask] of masks) {
      block.set(linkAdrReq({ ...base, channelMask: mask, channelMaskControl: bank }), at);
      at += 5;
    }
    return block;
  }
  if (region.name === 'US915') return linkAdrReq({ ...base, channelMask: 0x00ff, channelMaskControl: 6 });
  if (region.name === 'CN470') return linkAdrReq({ ...base, channelMask: 0, channelMaskControl: 6 });
  let mask = 0;
  for (const channel of region.uplinkChannels()) if (channel.index < 16) mask |= 1 << channel.index;
  return linkAdrReq({ ...base, channelMask: mask, channelMaskControl: 0 });
}

/** Channel indexes as 16-bit masks by bank (ChMaskCntl / CFList ChMask index), lowest bank first. */
export function bankMasks(channels: readonly number[]): Map<number, number> {
  const masks = new Map<number, number>();
  for (const n of [...channels].sort((a, b) => a - b)) masks.set(n >> 4, (masks.get(n >> 4) ?? 0) | (1 << (n & 15)));
  return masks;
}
