/**
 * US915 (RP002 §2.5, FCC part 15). 64 uplink channels of 125 kHz plus 8 of
 * 500 kHz; gateways listen to one group of 8+1 ("FSB", e.g. FSB2 on TTN).
 * No duty cycle, but every uplink must stay under 400 ms of dwell time, which
 * is what the small DR0 payload comes from. RX1 uses one of 8 downlink
 * channels of 500 kHz, chosen by the uplink channel number.
 */
import { channelAt, channelRange, defineRegion, lora, MHZ, type RegionSpec } from './define.js';

const UP125_FIRST = 902_300_000;
const UP500_FIRST = 903_000_000;
const DOWN_FIRST = 923_300_000;

function uplinkChannelOf(frequency: number): number {
  // The 500 kHz channels (64–71) sit between the 125 kHz ones: 903.0 + 1.6 n MHz.
  const n500 = Math.round((frequency - UP500_FIRST) / 1_600_000);
  if (n500 >= 0 && n500 < 8 && UP500_FIRST + n500 * 1_600_000 === frequency) return 64 + n500;
  return channelAt('US915', frequency, UP125_FIRST, 200_000, 64);
}

export const US915_SPEC: RegionSpec = {
  name: 'US915',
  maxEirpDbm: 30,
  dataRates: [lora(10), lora(9), lora(8), lora(7), lora(8, 500), undefined, undefined, undefined,
    lora(12, 500), lora(11, 500), lora(10, 500), lora(9, 500), lora(8, 500), lora(7, 500)],
  maxPayload: [11, 53, 125, 242, 242, undefined, undefined, undefined, 53, 129, 242, 242, 242, 242],
  uplinkDataRates: [0, 1, 2, 3, 4],
  maxRx1DrOffset: 3,
  channels: [...channelRange(0, 64, UP125_FIRST, 200_000, 0, 3), ...channelRange(64, 8, UP500_FIRST, 1_600_000, 4, 4)],
  band: { minFrequency: 902 * MHZ, maxFrequency: 928 * MHZ },
  // FSB k: 125 kHz channels 8(k−1)…8k−1 and the 500 kHz channel 64+k−1, which lies inside their span.
  subBands: Array.from({ length: 8 }, (_, k) => ({
    name: `FSB${k + 1}`,
    minFrequency: UP125_FIRST - 100_000 + k * 1_600_000,
    maxFrequency: UP125_FIRST - 100_000 + (k + 1) * 1_600_000,
    dutyCycle: 1,
  })),
  fixedDwellTimeMs: 400,
  rx1DataRate: (dr, offset) => Math.min(13, Math.max(8, 10 + dr - offset)),
  rx1Frequency: (uplink) => DOWN_FIRST + (uplinkChannelOf(uplink) % 8) * 600_000,
  rx2: { frequency: 923_300_000, dataRate: 8 },
};

export const createUs915 = () => defineRegion(US915_SPEC);
