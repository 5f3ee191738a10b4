/**
 * Which transceiver can serve which LoRaWAN region: the band each chip's
 * synthesiser covers (Semtech datasheets), checked against every frequency a
 * region uses (default uplink channels and RX2). Used by the hosts' config
 * checks (Pi host config, ESP32 board config) before anything is opened.
 */
import type { Region } from '../lorawan/regions/index.js';

export type SpiRadioType = 'sx1262' | 'sx1268' | 'sx1276' | 'sx1278';

export const SPI_RADIO_TYPES: readonly SpiRadioType[] = ['sx1262', 'sx1268', 'sx1276', 'sx1278'];

export const CHIP_BAND_MHZ: Readonly<Record<SpiRadioType, readonly [number, number]>> = {
  sx1262: [150, 960], sx1268: [410, 810], sx1276: [137, 1020], sx1278: [137, 525],
};

/** Undefined when `type` tunes every frequency of `region`; else the problem and its fix. */
export function regionMismatch(type: SpiRadioType, region: Region): { message: string; fix: string } | undefined {
  const frequencies = [...region.uplinkChannels().map((c) => c.frequency), region.rx2Default().frequency];
  const [low, high] = CHIP_BAND_MHZ[type];
  const outside = frequencies.find((f) => f < low * 1e6 || f > high * 1e6);
  if (outside === undefined) return undefined;
  return {
    message: `an ${type.toUpperCase()} tunes ${low}–${high} MHz and the site's region ${region.name} uses ${outside / 1e6} MHz`,
    fix: `use a module whose chip covers ${region.name}: SX1262 or SX1276 for 862–928 MHz, SX1268 or SX1278 for 470–510 MHz and 433 MHz`,
  };
}
