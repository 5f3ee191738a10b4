/**
 * Builds a Region from a table of facts, so each region file holds only its
 * numbers and its two rules (RX1 data rate, RX1 frequency), and the checks
 * and error messages are written once.
 */
import { LorawanRegionError } from '../errors.js';
import type { Channel, DataRate, DwellOptions, Region, RegionName, RxWindow, SubBand } from './types.js';

export interface RegionSpec {
  name: RegionName;
  maxEirpDbm: number;
  /** Indexed by DR; holes are RFU data rates. */
  dataRates: ReadonlyArray<DataRate | undefined>;
  /** N by DR without a dwell limit; undefined where the DR cannot carry data. */
  maxPayload: ReadonlyArray<number | undefined>;
  /** N by DR under a 400 ms dwell limit, for regions where it changes the table. */
  maxPayloadDwell400?: ReadonlyArray<number | undefined>;
  uplinkDataRates: readonly number[];
  maxRx1DrOffset: number;
  channels: readonly Channel[];
  /** The whole band a device of this region may transmit in, Hz [min, max). */
  band: { minFrequency: number; maxFrequency: number };
  subBands: readonly SubBand[];
  /** A dwell limit that always applies to uplinks (US915). */
  fixedDwellTimeMs?: number;
  rx1DataRate(dr: number, offset: number, dwell: DwellOptions): number;
  rx1Frequency(uplinkFrequency: number): number;
  rx2: RxWindow;
}

export const lora = (sf: number, bw: 125 | 250 | 500 = 125): DataRate => ({ modulation: 'lora', sf, bw });
export const FSK_50K: DataRate = { modulation: 'fsk', bitRate: 50_000 };
export const MHZ = 1_000_000;

/** `count` channels `step` Hz apart from `first`, indexes from `firstIndex`. */
export function channelRange(firstIndex: number, count: number, first: number, step: number, minDr: number, maxDr: number): Channel[] {
  return Array.from({ length: count }, (_, i) => ({ index: firstIndex + i, frequency: first + i * step, minDr, maxDr }));
}

/** Index of the channel at `frequency` in an evenly spaced plan, or throw. */
export function channelAt(region: string, frequency: number, first: number, step: number, count: number): number {
  const n = Math.round((frequency - first) / step);
  if (n < 0 || n >= count || Math.abs(first + n * step - frequency) > 1) {
    throw new LorawanRegionError(region, `${frequency} Hz is not one of its uplink channels`,
      `uplink channels are ${first} Hz + n × ${step} Hz, n = 0–${count - 1}`);
  }
  return n;
}

export function defineRegion(spec: RegionSpec): Region {
  const fail = (detail: string, fix: string) => new LorawanRegionError(spec.name, detail, fix);
  const definedRates = spec.dataRates.flatMap((rate, dr) => (rate === undefined ? [] : [dr]));

  const dataRate = (dr: number): DataRate => {
    const rate = Number.isInteger(dr) ? spec.dataRates[dr] : undefined;
    if (rate === undefined) throw fail(`DR${dr} is not defined`, `use one of DR${definedRates.join(', DR')}`);
    return rate;
  };

  const checkBand = (frequency: number) => {
    if (!(frequency >= spec.band.minFrequency && frequency < spec.band.maxFrequency)) {
      throw fail(`${frequency} Hz is outside the band (${spec.band.minFrequency}–${spec.band.maxFrequency} Hz)`, 'check the channel plan: is the gateway configured for the right region?');
    }
  };

  const subBandOf = (frequency: number): SubBand | undefined =>
    spec.subBands.find((b) => frequency >= b.minFrequency && frequency < b.maxFrequency);

  const channels = spec.channels.map((c) => ({ ...c }));

  return {
    name: spec.name,
    maxEirpDbm: spec.maxEirpDbm,
    uplinkDataRates: spec.uplinkDataRates,
    maxRx1DrOffset: spec.maxRx1DrOffset,
    dataRate,
    maxPayload(dr, options = {}) {
      dataRate(dr);
      const table = options.dwellTime === 400 && spec.maxPayloadDwell400 !== undefined ? spec.maxPayloadDwell400 : spec.maxPayload;
      const n = table[dr];
      if (n === undefined) {
        throw fail(`DR${dr} carries no application payload${table === spec.maxPayload ? '' : ' under a 400 ms dwell time'}`, 'use a faster data rate');
      }
      return n;
    },
    uplinkChannels: () => channels,
    subBandOf,
    dutyCycleOf(frequency) {
      checkBand(frequency);
      const band = subBandOf(frequency);
      if (band === undefined) {
        throw fail(`${frequency} Hz lies between sub-bands, where no device may transmit`, `use a frequency inside ${spec.subBands.map((b) => b.name).join(', ')}`);
      }
      return band.dutyCycle;
    },
    maxDwellTimeMs(options = {}) {
      return spec.fixedDwellTimeMs ?? (options.dwellTime === 400 ? 400 : undefined);
    },
    rx1(dr, offset, frequency, options = {}) {
      if (!spec.uplinkDataRates.includes(dr)) throw fail(`DR${dr} is not an uplink data rate`, `uplinks use DR${spec.uplinkDataRates.join(', DR')}`);
      if (!Number.isInteger(offset) || offset < 0 || offset > spec.maxRx1DrOffset) {
        throw fail(`RX1DROffset ${offset} is not 0–${spec.maxRx1DrOffset}`, 'the offset comes from the join accept DLSettings or RXParamSetupReq');
      }
      checkBand(frequency);
      return { frequency: spec.rx1Frequency(frequency), dataRate: spec.rx1DataRate(dr, offset, options) };
    },
    rx2Default: () => ({ ...spec.rx2 }),
  };
}
