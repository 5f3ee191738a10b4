/** Time on air: DESIGN.md's worked example and hand-computed Semtech formula values. */
import { test } from '../../test/kit/core-test.js';
import { FRAME_OVERHEAD_BYTES, fskTimeOnAirMs, loraTimeOnAirMs } from './airtime.js';

const round1 = (ms: number) => Math.round(ms * 10) / 10;

test('worked example: PL 64 at SF12/125 kHz is 2793.5 ms (51 application bytes + 13)', (t) => {
  t.is(round1(loraTimeOnAirMs({ sf: 12, bw: 125, phyPayloadBytes: 64 })), 2793.5);
  t.is(round1(loraTimeOnAirMs({ sf: 12, bw: 125, phyPayloadBytes: 51 + FRAME_OVERHEAD_BYTES })), 2793.5);
});

test('empty uplinks (13-byte PHYPayload): SF7 46.3 ms, SF12 1155.1 ms; SF7 at 250 kHz is half of 125 kHz', (t) => {
  // SF7: Tsym 1.024 ms, preamble 12.544 ms, 8 + ceil(120/28)·5 = 33 symbols.
  t.is(loraTimeOnAirMs({ sf: 7, bw: 125, phyPayloadBytes: 13 }), 46.336);
  t.is(round1(loraTimeOnAirMs({ sf: 12, bw: 125, phyPayloadBytes: 13 })), 1155.1);
  t.is(loraTimeOnAirMs({ sf: 7, bw: 250, phyPayloadBytes: 13 }), 46.336 / 2);
});

test('low-data-rate optimisation defaults on only for SF11/SF12 at 125 kHz, and can be forced', (t) => {
  const on = loraTimeOnAirMs({ sf: 11, bw: 125, phyPayloadBytes: 64, lowDataRateOptimize: true });
  const off = loraTimeOnAirMs({ sf: 11, bw: 125, phyPayloadBytes: 64, lowDataRateOptimize: false });
  t.is(loraTimeOnAirMs({ sf: 11, bw: 125, phyPayloadBytes: 64 }), on);
  t.true(on > off);
  t.is(loraTimeOnAirMs({ sf: 10, bw: 125, phyPayloadBytes: 64 }), loraTimeOnAirMs({ sf: 10, bw: 125, phyPayloadBytes: 64, lowDataRateOptimize: false }));
});

test('coding rate, header and CRC options change the payload symbols as the formula says', (t) => {
  const base = { sf: 7, bw: 125, phyPayloadBytes: 13 } as const;
  // CR 4/8: 5 blocks × 8 = 40 + 8 symbols instead of 33.
  t.is(loraTimeOnAirMs({ ...base, codingRate: 4 }), 12.544 + 48 * 1.024);
  // Downlinks: no CRC → ceil(104/28) = 4 blocks.
  t.is(loraTimeOnAirMs({ ...base, crc: false }), 12.544 + 28 * 1.024);
});

test('FSK 50 kbps and parameter checks', (t) => {
  t.is(fskTimeOnAirMs(13), 3.84);
  t.throws(() => loraTimeOnAirMs({ sf: 13, bw: 125, phyPayloadBytes: 10 }), { code: 'LORAWAN_FIELD', message: /^sf:/ });
  t.throws(() => loraTimeOnAirMs({ sf: 7, bw: 125, phyPayloadBytes: 256 }), { code: 'LORAWAN_FIELD' });
});
