/**
 * CN470 (470–510 MHz, China). Channel plan: the 96 uplink channels
 * 470.3 + 0.2·n MHz and 48 downlink channels 500.3 + 0.2·n MHz of the
 * classic plan, RX1 on downlink channel (uplink channel mod 48). Payload
 * sizes follow RP002, where DR0 (SF12) carries no payload: so no uplink
 * channel offers DR0, and RX2 defaults to DR1 instead of the old DR0 —
 * configure the network server's RX2 data rate to match.
 * No duty-cycle limit; 19.15 dBm maximum EIRP.
 */
import { channelAt, channelRange, defineRegion, FSK_50K, lora, MHZ, type RegionSpec } from './define.js';

const UP_FIRST = 470_300_000;
const DOWN_FIRST = 500_300_000;
const STEP = 200_000;

export const CN470_SPEC: RegionSpec = {
  name: 'CN470',
  maxEirpDbm: 19.15,
  dataRates: [lora(12), lora(11), lora(10), lora(9), lora(8), lora(7), lora(7, 500), FSK_50K],
  maxPayload: [undefined, 23, 86, 184, 242, 242, 242, 242],
  uplinkDataRates: [1, 2, 3, 4, 5, 6, 7],
  maxRx1DrOffset: 5,
  channels: channelRange(0, 96, UP_FIRST, STEP, 1, 5),
  band: { minFrequency: 470 * MHZ, maxFrequency: 510 * MHZ },
  subBands: [{ name: 'CN470', minFrequency: 470 * MHZ, maxFrequency: 510 * MHZ, dutyCycle: 1 }],
  rx1DataRate: (dr, offset) => Math.max(1, dr - offset),
  rx1Frequency: (uplink) => DOWN_FIRST + (channelAt('CN470', uplink, UP_FIRST, STEP, 96) % 48) * STEP,
  rx2: { frequency: 505_300_000, dataRate: 1 },
};

export const createCn470 = () => defineRegion(CN470_SPEC);
