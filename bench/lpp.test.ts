/** The Cayenne LPP baseline (bench/lpp.ts) and the demo-day workload that compares it with the batch format. */
import test from 'ava';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifestDirectory } from '../sdk/manifest/validate.js';
import { decodeLpp, lppRecord, lppTypeFor, LPP_TYPES, packLppFrames, type LppReading } from './lpp.js';
import { DEMO_DAY_SITE, frameBatch, frameLpp, generateDemoDay } from './workloads/demo-day.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ch = (index: number, unit: string, kind: 'number' | 'bool' = 'number', point = 'x') => ({ index, unit, kind, point });

test('LPP records: channel, type, big-endian data at the type resolution', (t) => {
  t.deepEqual([...lppRecord(3, LPP_TYPES.temperature, 27.2)], [3, 103, 0x01, 0x10]);
  t.deepEqual([...lppRecord(3, LPP_TYPES.temperature, -4.1)], [3, 103, 0xff, 0xd7]);
  t.deepEqual([...lppRecord(5, LPP_TYPES.humidity, 64)], [5, 104, 128]);
  t.deepEqual([...lppRecord(1, LPP_TYPES.digitalInput, true)], [1, 0, 1]);
  t.deepEqual([...lppRecord(2, LPP_TYPES.energy, 1843.2)], [2, 131, 0x00, 0x1c, 0x20, 0x00]);
  t.deepEqual([...lppRecord(0xff, LPP_TYPES.unixTime, 1784102400)], [0xff, 133, 0x6a, 0x57, 0x3e, 0x00]);
  t.deepEqual(decodeLpp(lppRecord(7, LPP_TYPES.analogInput, -1.23)), [{ channel: 7, type: 'analog input', value: -1.23 }]);
});

test('LPP types follow the unit; analog input overflows into a 4-byte record', (t) => {
  t.is(lppTypeFor(ch(0, '°C'), 21).size, 2);
  t.is(lppTypeFor(ch(0, '%RH'), 50).size, 1);
  t.is(lppTypeFor(ch(0, '', 'bool'), true).size, 1);
  t.is(lppTypeFor(ch(0, 'kWh'), 1).size, 4);
  t.is(lppTypeFor(ch(0, 'm', 'number', 'distance'), 6.8).name, 'distance');
  t.is(lppTypeFor(ch(0, 'cm'), 40).name, 'analog input');
  t.is(lppTypeFor(ch(0, 'm³'), 1523.41).size, 4);
});

test('LPP frames: within the limit, each starting with its time record, nothing lost', (t) => {
  const readings: LppReading[] = [];
  for (let k = 0; k < 10; k++) for (let c = 0; c < 7; c++) readings.push({ channel: ch(c, '°C'), timeS: 1784102400 + k * 300, value: 20 + c + k / 10 });
  for (const max of [12, 51, 242]) {
    const frames = packLppFrames(readings, max);
    t.true(frames.every((f) => f.length <= max && f[1] === 133), `${max}`);
    const values = frames.flatMap((f) => decodeLpp(f)).filter((v) => v.type === 'temperature');
    t.is(values.length, readings.length);
  }
  t.throws(() => packLppFrames(readings, 11));
});

test('demo day: the built-in site has 12 devices; both formats carry every reading; ours is ≤ 0.25× LPP at 51 and 242 bytes', async (t) => {
  t.is(DEMO_DAY_SITE.buses.reduce((n, b) => n + b.devices.length, 0), 12);
  const manifests = new Map(loadManifestDirectory(path.join(root, 'manifests/devices')).map((m) => [m.id, m]));
  const day = await generateDemoDay({ manifests });
  t.true(day.samples.length > 8000);
  for (const max of [51, 242]) {
    const batch = frameBatch(day, max, 30);
    const lpp = frameLpp(day, max, 30);
    t.true(batch.all.every((f) => f.length <= max));
    t.is(batch.readings, day.samples.length);
    t.true(batch.bytesPerReading / lpp.bytesPerReading <= 0.25, `${max}: ${batch.bytesPerReading.toFixed(3)} vs ${lpp.bytesPerReading.toFixed(3)}`);
  }
});
