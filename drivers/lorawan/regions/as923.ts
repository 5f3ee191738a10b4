/**
 * AS923 (RP002 §2.8). One plan for many countries, shifted by a per-country
 * frequency offset (AS923-1…4). Where the country requires it (Japan and
 * others), the network switches on a 400 ms dwell time with TxParamSetupReq;
 * that shrinks payloads and raises the lowest usable downlink data rate.
 * Duty cycle / listen-before-talk are local rules, not in the LoRaWAN tables,
 * so the region reports no duty-cycle limit: apply the country's.
 */
import { LorawanRegionError } from '../errors.js';
import { defineRegion, FSK_50K, lora, MHZ, type RegionSpec } from './define.js';

export type As923Group = 1 | 2 | 3 | 4;

/** Frequency offsets of AS923-1…4 from the AS923-1 plan, Hz. */
export const AS923_OFFSETS: Record<As923Group, number> = { 1: 0, 2: -1_800_000, 3: -6_600_000, 4: -5_900_000 };

export function as923Spec(group: As923Group = 1): RegionSpec {
  const offset = AS923_OFFSETS[group];
  if (offset === undefined) throw new LorawanRegionError('AS923', `there is no AS923-${String(group)}`, 'use group 1, 2, 3 or 4');
  return {
    name: 'AS923',
    maxEirpDbm: 16,
    dataRates: [lora(12), lora(11), lora(10), lora(9), lora(8), lora(7), lora(7, 250), FSK_50K],
    maxPayload: [51, 51, 115, 115, 242, 242, 242, 242],
    maxPayloadDwell400: [undefined, undefined, 11, 53, 125, 242, 242, 242],
    uplinkDataRates: [0, 1, 2, 3, 4, 5, 6, 7],
    maxRx1DrOffset: 7,
    channels: [923_200_000, 923_400_000].map((f, index) => ({ index, frequency: f + offset, minDr: 0, maxDr: 5 })),
    band: { minFrequency: 915 * MHZ, maxFrequency: 928 * MHZ },
    subBands: [{ name: `AS923-${group}`, minFrequency: 915 * MHZ, maxFrequency: 928 * MHZ, dutyCycle: 1 }],
    rx1DataRate(dr, rx1Offset, dwell) {
      // Offsets 6 and 7 *raise* the downlink rate by 1 and 2; a 400 ms dwell limit makes DR2 the floor.
      const effective = rx1Offset <= 5 ? rx1Offset : 5 - rx1Offset;
      const floor = dwell.dwellTime === 400 ? 2 : 0;
      return Math.min(5, Math.max(floor, dr - effective));
    },
    rx1Frequency: (uplink) => uplink,
    rx2: { frequency: 923_200_000 + offset, dataRate: 2 },
  };
}

export const createAs923 = (group: As923Group = 1) => defineRegion(as923Spec(group));
