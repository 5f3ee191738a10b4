/**
 * The fleet's base stations as a CN470 operator sets them up: each has an
 * 8-channel concentrator (SX1302), so it hears one sub-band of 8 of the
 * region's uplink channels (CN470: sub-band k = channels 8k…8k+7 of 96), and
 * each device is provisioned with the sub-band of the base station nearest to
 * it (installers set it; the network server holds the device to it with the
 * join accept's channel mask and its LinkADRReqs). With `subBands` = 1 every
 * base station listens on the same 8 channels (one network-wide channel plan,
 * as a ChirpStack region config sets it); with more, neighbouring stations use
 * different sub-bands (frequency reuse) and a device is heard by the stations
 * of its own sub-band only. Regions with 8 default channels or fewer (EU868's 3)
 * are heard whole. Where the region limits duty cycle, every base station books
 * its downlinks per sub-band (EU868: 1 % in g1, 10 % in g3 where RX2 sits).
 */
import type { DutyCycleBand } from '../../drivers/lorawan/mac/duty-cycle.js';
import type { Region } from '../../drivers/lorawan/regions/types.js';
import type { GatewayOptions } from '../radio/index.js';

/** Channels of one SX1302 concentrator board (two SX1250 radios). */
export const CONCENTRATOR_CHANNELS = 8;

/** The uplink channel indexes of sub-band `subBand` (wrapping over the region's sub-bands). */
export function subBandChannels(region: Region, subBand: number): number[] {
  // 125 kHz channels only (US915's 500 kHz channels 64–71 are another radio's).
  const narrow = region.uplinkChannels().filter((c) => {
    const rate = region.dataRate(c.maxDr);
    return rate.modulation === 'lora' && rate.bw === 125;
  });
  if (narrow.length <= CONCENTRATOR_CHANNELS) return narrow.map((c) => c.index);
  const count = Math.floor(narrow.length / CONCENTRATOR_CHANNELS);
  const first = (subBand % count) * CONCENTRATOR_CHANNELS;
  return narrow.slice(first, first + CONCENTRATOR_CHANNELS).map((c) => c.index);
}

/** What `channel.addGateway` needs for a base station on `subBand` of `region`. */
export function baseStationOptions(region: Region, id: string, subBand: number, demodulators: number): GatewayOptions {
  const byIndex = new Map(region.uplinkChannels().map((c) => [c.index, c.frequency]));
  return {
    id,
    uplinkFrequenciesHz: subBandChannels(region, subBand).map((n) => byIndex.get(n) ?? 0),
    demodulators,
    dutyCycleBand: (freqHz: number): DutyCycleBand | undefined => {
      const band = region.subBandOf(freqHz);
      return band === undefined || band.dutyCycle >= 1 ? undefined : { name: band.name, dutyCycle: band.dutyCycle };
    },
  };
}
