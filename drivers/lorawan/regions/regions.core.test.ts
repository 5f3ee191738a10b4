/** Regional parameters: DESIGN.md §5 payload tables exactly, channel plans, RX windows, duty cycle, dwell time. */
import { test } from '../../../test/kit/core-test.js';
import { loraTimeOnAirMs } from '../airtime.js';
import { createRegion, REGION_NAMES } from './index.js';
import type { Region } from './types.js';

const MHZ = 1_000_000;

/** N for DR0…DR7, with undefined where the DR carries no payload. */
function payloadTable(region: Region, options = {}): Array<number | undefined> {
  return [0, 1, 2, 3, 4, 5, 6, 7].map((dr) => {
    try {
      return region.maxPayload(dr, options);
    } catch {
      return undefined;
    }
  });
}

test('max application payload N per DR, as DESIGN.md §5 lists it', (t) => {
  t.deepEqual(payloadTable(createRegion('EU868')), [51, 51, 51, 115, 242, 242, 242, 242]);
  t.deepEqual(payloadTable(createRegion('AS923')), [51, 51, 115, 115, 242, 242, 242, 242]);
  t.deepEqual(payloadTable(createRegion('AS923'), { dwellTime: 400 }), [undefined, undefined, 11, 53, 125, 242, 242, 242]);
  t.deepEqual(payloadTable(createRegion('CN470')), [undefined, 23, 86, 184, 242, 242, 242, 242]);
  const us = createRegion('US915');
  t.deepEqual([0, 1, 2, 3, 4].map((dr) => us.maxPayload(dr)), [11, 53, 125, 242, 242]);
  t.deepEqual([8, 9, 10, 13].map((dr) => us.maxPayload(dr)), [53, 129, 242, 242]);
  t.throws(() => us.maxPayload(5), { code: 'LORAWAN_REGION', message: /DR5 is not defined/ });
  t.throws(() => createRegion('CN470').maxPayload(0), { code: 'LORAWAN_REGION', message: /DR0 carries no application payload/ });
  t.throws(() => createRegion('AS923').maxPayload(1, { dwellTime: 400 }), { code: 'LORAWAN_REGION', message: /400 ms dwell/ });
});

test('data rates map to SF/BW (and FSK)', (t) => {
  const eu = createRegion('EU868');
  t.deepEqual(eu.dataRate(0), { modulation: 'lora', sf: 12, bw: 125 });
  t.deepEqual(eu.dataRate(5), { modulation: 'lora', sf: 7, bw: 125 });
  t.deepEqual(eu.dataRate(6), { modulation: 'lora', sf: 7, bw: 250 });
  t.deepEqual(eu.dataRate(7), { modulation: 'fsk', bitRate: 50_000 });
  const us = createRegion('US915');
  t.deepEqual(us.dataRate(0), { modulation: 'lora', sf: 10, bw: 125 });
  t.deepEqual(us.dataRate(4), { modulation: 'lora', sf: 8, bw: 500 });
  t.deepEqual(us.dataRate(8), { modulation: 'lora', sf: 12, bw: 500 });
  t.deepEqual(createRegion('CN470').dataRate(6), { modulation: 'lora', sf: 7, bw: 500 });
  t.throws(() => eu.dataRate(8), { code: 'LORAWAN_REGION', message: /DR8 is not defined.*DR0, DR1/ });
  t.throws(() => eu.dataRate(1.5), { code: 'LORAWAN_REGION' });
});

test('default uplink channel plans: EU868 3, AS923 2, CN470 96, US915 64 + 8', (t) => {
  const freqs = (name: 'EU868' | 'AS923' | 'CN470' | 'US915') => createRegion(name).uplinkChannels().map((c) => c.frequency);
  t.deepEqual(freqs('EU868'), [868_100_000, 868_300_000, 868_500_000]);
  t.deepEqual(freqs('AS923'), [923_200_000, 923_400_000]);
  const cn = createRegion('CN470').uplinkChannels();
  t.is(cn.length, 96);
  t.deepEqual([cn[0].frequency, cn[95].frequency], [470_300_000, 489_300_000]);
  t.deepEqual([cn[0].minDr, cn[0].maxDr], [1, 5]);
  const us = createRegion('US915').uplinkChannels();
  t.is(us.length, 72);
  t.deepEqual([us[0].frequency, us[63].frequency, us[64].frequency, us[71].frequency], [902_300_000, 914_900_000, 903_000_000, 914_200_000]);
  t.deepEqual([us[63].maxDr, us[64].minDr, us[64].maxDr], [3, 4, 4]);
  t.deepEqual(createRegion('AS923', { as923Group: 2 }).uplinkChannels().map((c) => c.frequency), [921_400_000, 921_600_000]);
});

test('RX1: data rate offsets and downlink frequencies per region', (t) => {
  const eu = createRegion('EU868');
  t.deepEqual(eu.rx1(5, 0, 868_100_000), { frequency: 868_100_000, dataRate: 5 });
  t.deepEqual(eu.rx1(5, 2, 868_300_000), { frequency: 868_300_000, dataRate: 3 });
  t.deepEqual(eu.rx1(1, 5, 868_500_000), { frequency: 868_500_000, dataRate: 0 });
  t.throws(() => eu.rx1(5, 6, 868_100_000), { code: 'LORAWAN_REGION', message: /RX1DROffset 6 is not 0–5/ });

  const us = createRegion('US915');
  t.deepEqual(us.rx1(0, 0, 902_300_000), { frequency: 923_300_000, dataRate: 10 });
  t.deepEqual(us.rx1(3, 0, 903_900_000), { frequency: 923_300_000 + 600_000 * 0, dataRate: 13 }); // channel 8 → 8 mod 8 = 0
  t.deepEqual(us.rx1(2, 1, 902_500_000), { frequency: 923_900_000, dataRate: 11 });
  t.deepEqual(us.rx1(4, 0, 903_000_000), { frequency: 923_300_000, dataRate: 13 }); // channel 64
  t.deepEqual(us.rx1(4, 3, 914_200_000), { frequency: 927_500_000, dataRate: 11 }); // channel 71
  t.deepEqual(us.rx1(0, 3, 902_300_000).dataRate, 8);
  t.throws(() => us.rx1(8, 0, 902_300_000), { code: 'LORAWAN_REGION', message: /not an uplink data rate/ });
  t.throws(() => us.rx1(0, 0, 902_400_000), { code: 'LORAWAN_REGION', message: /not one of its uplink channels/ });

  const cn = createRegion('CN470');
  t.deepEqual(cn.rx1(5, 0, 470_300_000), { frequency: 500_300_000, dataRate: 5 });
  t.deepEqual(cn.rx1(5, 2, 479_900_000), { frequency: 500_300_000, dataRate: 3 }); // channel 48 → downlink 0
  t.deepEqual(cn.rx1(2, 5, 489_300_000), { frequency: 509_700_000, dataRate: 1 });

  const as = createRegion('AS923');
  t.deepEqual(as.rx1(5, 0, 923_200_000), { frequency: 923_200_000, dataRate: 5 });
  t.deepEqual(as.rx1(2, 6, 923_200_000).dataRate, 3, 'offset 6 raises the rate by one');
  t.deepEqual(as.rx1(2, 7, 923_200_000).dataRate, 4, 'offset 7 raises it by two');
  t.deepEqual(as.rx1(5, 7, 923_200_000).dataRate, 5, 'capped at DR5');
  t.deepEqual(as.rx1(1, 2, 923_200_000).dataRate, 0);
  t.deepEqual(as.rx1(1, 2, 923_200_000, { dwellTime: 400 }).dataRate, 2, 'dwell time makes DR2 the floor');
});

test('RX2 defaults', (t) => {
  t.deepEqual(createRegion('EU868').rx2Default(), { frequency: 869_525_000, dataRate: 0 });
  t.deepEqual(createRegion('US915').rx2Default(), { frequency: 923_300_000, dataRate: 8 });
  t.deepEqual(createRegion('AS923').rx2Default(), { frequency: 923_200_000, dataRate: 2 });
  t.deepEqual(createRegion('AS923', { as923Group: 3 }).rx2Default(), { frequency: 916_600_000, dataRate: 2 });
  t.deepEqual(createRegion('CN470').rx2Default(), { frequency: 505_300_000, dataRate: 1 });
});

test('EU868 sub-bands and duty cycles: g 1 %, g1 1 %, g2 0.1 %, g3 10 %, g4 1 %', (t) => {
  const eu = createRegion('EU868');
  const cases: Array<[number, string, number]> = [
    [867.1 * MHZ, 'g', 0.01],
    [868.1 * MHZ, 'g1', 0.01],
    [868.5 * MHZ, 'g1', 0.01],
    [868.8 * MHZ, 'g2', 0.001],
    [869.525 * MHZ, 'g3', 0.1],
    [869.85 * MHZ, 'g4', 0.01],
  ];
  for (const [frequency, name, duty] of cases) {
    t.is(eu.subBandOf(frequency)?.name, name, `${frequency} Hz`);
    t.is(eu.dutyCycleOf(frequency), duty, `${frequency} Hz`);
  }
  // 1 % of an hour is 36 s of airtime per sub-band.
  t.is(Math.round(eu.dutyCycleOf(868.1 * MHZ) * 3600), 36);
  t.is(eu.subBandOf(869.3 * MHZ), undefined);
  t.throws(() => eu.dutyCycleOf(869.3 * MHZ), { code: 'LORAWAN_REGION', message: /between sub-bands/ });
  t.throws(() => eu.dutyCycleOf(915 * MHZ), { code: 'LORAWAN_REGION', message: /outside the band/ });
});

test('other regions: no duty cycle in the tables, US915 FSB grouping, dwell time and EIRP', (t) => {
  const us = createRegion('US915');
  t.is(us.dutyCycleOf(902_300_000), 1);
  t.is(us.subBandOf(903_900_000)?.name, 'FSB2', 'channel 8 is in FSB2 (the TTN sub-band)');
  t.is(us.subBandOf(903_000_000)?.name, 'FSB1', 'the 500 kHz channel 64 belongs to FSB1');
  t.is(us.subBandOf(904_600_000)?.name, 'FSB2', 'channel 65 belongs to FSB2');
  t.is(us.maxDwellTimeMs(), 400);
  t.is(createRegion('CN470').dutyCycleOf(470_300_000), 1);
  t.is(createRegion('EU868').maxDwellTimeMs(), undefined);
  t.is(createRegion('AS923').maxDwellTimeMs(), undefined);
  t.is(createRegion('AS923').maxDwellTimeMs({ dwellTime: 400 }), 400);
  t.deepEqual(REGION_NAMES.map((n) => createRegion(n).maxEirpDbm), [16, 19.15, 16, 30]);
  t.throws(() => createRegion('XX999' as 'EU868'), { code: 'LORAWAN_REGION', message: /not a supported region/ });
});

test('each region\'s largest uplink fits its dwell limit: US915 DR0 with 11 bytes stays under 400 ms', (t) => {
  const us = createRegion('US915');
  for (const dr of [0, 1, 2, 3]) {
    const rate = us.dataRate(dr);
    if (rate.modulation !== 'lora') continue;
    const ms = loraTimeOnAirMs({ sf: rate.sf, bw: rate.bw, phyPayloadBytes: us.maxPayload(dr) + 13 });
    t.true(ms <= 400, `DR${dr}: ${ms} ms`);
  }
  const as = createRegion('AS923');
  for (const dr of [2, 3, 4]) {
    const rate = as.dataRate(dr);
    if (rate.modulation !== 'lora') continue;
    t.true(loraTimeOnAirMs({ sf: rate.sf, bw: rate.bw, phyPayloadBytes: as.maxPayload(dr, { dwellTime: 400 }) + 13 }) <= 400, `AS923 DR${dr}`);
  }
});
