/**
 * EU868 (RP002 §2.4, ETSI EN 300 220). Three default channels shared by every
 * network; duty cycle is set per ETSI sub-band, which is why RX2 sits in g3
 * (10 %) and why the MAC must book airtime per sub-band, not per channel.
 */
import { defineRegion, FSK_50K, lora, MHZ, type RegionSpec } from './define.js';

export const EU868_SPEC: RegionSpec = {
  name: 'EU868',
  maxEirpDbm: 16,
  dataRates: [lora(12), lora(11), lora(10), lora(9), lora(8), lora(7), lora(7, 250), FSK_50K],
  maxPayload: [51, 51, 51, 115, 242, 242, 242, 242],
  uplinkDataRates: [0, 1, 2, 3, 4, 5, 6, 7],
  maxRx1DrOffset: 5,
  channels: [868.1, 868.3, 868.5].map((mhz, index) => ({ index, frequency: Math.round(mhz * MHZ), minDr: 0, maxDr: 5 })),
  band: { minFrequency: 863 * MHZ, maxFrequency: 870 * MHZ },
  subBands: [
    { name: 'g', minFrequency: 863.0 * MHZ, maxFrequency: 868.0 * MHZ, dutyCycle: 0.01 },
    { name: 'g1', minFrequency: 868.0 * MHZ, maxFrequency: 868.6 * MHZ, dutyCycle: 0.01 },
    { name: 'g2', minFrequency: 868.7 * MHZ, maxFrequency: 869.2 * MHZ, dutyCycle: 0.001 },
    { name: 'g3', minFrequency: 869.4 * MHZ, maxFrequency: 869.65 * MHZ, dutyCycle: 0.1 },
    { name: 'g4', minFrequency: 869.7 * MHZ, maxFrequency: 870.0 * MHZ, dutyCycle: 0.01 },
  ],
  rx1DataRate: (dr, offset) => Math.max(0, dr - offset),
  rx1Frequency: (uplink) => uplink,
  rx2: { frequency: 869_525_000, dataRate: 0 },
};

export const createEu868 = () => defineRegion(EU868_SPEC);
