/** Batch codec: worked example, alert/status messages, channel table rules, CBOR form, error reporting. */
import { test } from '../../test/kit/core-test.js';
import { fromHex, toHex } from '../bytes.js';
import type { DeviceManifest } from '../devices/manifest.js';
import {
  BatchEncoder,
  BatchError,
  buildChannelTable,
  decodeAlert,
  decodeCborMessage,
  decodeMessage,
  decodeStatus,
  encodeAlert,
  encodeCborAlert,
  encodeCborBatch,
  encodeCborStatus,
  encodeStatus,
  findChannel,
  STATUS_COUNTER_MAX,
} from './index.js';
import { encodeCbor } from './cbor-codec.js';
import { EXAMPLE_ALERT_HEX, EXAMPLE_FRAME_HEX, EXAMPLE_T0, exampleSamples, exampleSite, fixtureManifests, fixtureSite } from './test-support.js';

test('worked example: three cycles of a level gauge and a detector encode to the documented 17 bytes', (t) => {
  const table = buildChannelTable(exampleSite(), fixtureManifests());
  const encoder = new BatchEncoder(table);
  for (const sample of exampleSamples()) encoder.add(sample);
  const frames = encoder.flush(51);
  t.is(frames.length, 1);
  t.is(toHex(frames[0], ' '), EXAMPLE_FRAME_HEX);
  const decoded = decodeMessage(fromHex(EXAMPLE_FRAME_HEX), table);
  if (decoded.type !== 'batch') return t.fail('not a batch');
  t.deepEqual(
    decoded.readings.map((r) => [r.channel, `${r.device}.${r.point}`, (r.t - EXAMPLE_T0) / 1000, r.value, r.unit]),
    [
      [0, 'underpass.level', 0, 12.3, 'cm'], [0, 'underpass.level', 300, 14.1, 'cm'], [0, 'underpass.level', 600, 16, 'cm'],
      [1, 'detector.smoke_alarm', 0, false, ''], [1, 'detector.smoke_alarm', 300, false, ''], [1, 'detector.smoke_alarm', 600, false, ''],
      [5, 'detector.temperature', 0, 24.1, '°C'], [5, 'detector.temperature', 300, 24.3, '°C'], [5, 'detector.temperature', 600, 24.2, '°C'],
    ],
  );
});

test('worked example: the alert of docs §9 is 11 bytes and decodes back', (t) => {
  const table = buildChannelTable(exampleSite(), fixtureManifests());
  const bytes = encodeAlert({ rule: 'underpass-ponding', device: 'underpass', point: 'level', level: 'warning', state: 'raised', t: EXAMPLE_T0 + 600120, value: 16, message: 'ponding 16 cm' }, table);
  t.is(toHex(bytes, ' '), EXAMPLE_ALERT_HEX);
  t.deepEqual(decodeAlert(bytes, table), { rule: 'underpass-ponding', device: 'underpass', point: 'level', level: 'warning', state: 'raised', t: EXAMPLE_T0 + 600000, value: 16 });
});

test('channel table: config points are not channels; resolutions follow the manifest', (t) => {
  const table = buildChannelTable(fixtureSite(), fixtureManifests());
  const res = (device: string, point: string) => {
    const c = findChannel(table, device, point);
    return c === undefined ? undefined : `${c.kind}/${c.decimals}`;
  };
  t.is(res('underpass', 'level'), 'number/1', 'level cm at 0.1');
  t.is(res('underpass', 'decimals'), undefined, 'config register');
  t.is(res('hydrant', 'pressure'), 'number/3', 'MPa at 0.001');
  t.is(res('climate', 'temperature'), 'number/1', 'int16 × 0.1');
  t.is(res('detector', 'smoke_level'), 'number/2', 'uint16 × 0.01');
  t.is(res('detector', 'smoke_alarm'), 'bool/0', 'bit');
  t.is(res('feeder', 'total_active_energy'), 'number/2', 'kWh at 0.01');
  t.is(res('river', 'level'), 'number/3', 'm at 0.001');
  t.is(res('river', 'echo_strength'), 'number/0', 'uint16 dB');
  t.is(res('water', 'total_flow'), 'number/2', 'm³ at 0.01');
  t.deepEqual(table.channels.map((c) => c.index), table.channels.map((_, i) => i));
  t.deepEqual(table.rules.map((r) => `${r.index}:${r.id}`), ['0:underpass-ponding', '1:detector-smoke', '2:hydrant-low', '3:meter-offline']);
});

test('channel table stability: a point added to a manifest is appended; old frames decode the same', (t) => {
  const manifests = fixtureManifests();
  const v1 = buildChannelTable(fixtureSite(), manifests);
  const encoder = new BatchEncoder(v1);
  for (const sample of exampleSamples()) if (findChannel(v1, sample.device, sample.point)) encoder.add(sample);
  const frames = encoder.flush(242);
  // The vendor adds a point in the middle of the level gauge's manifest, and a device joins the site.
  const level = manifests.get('water-level-rs485') as DeviceManifest;
  level.points.splice(4, 0, { id: 'sensor_temperature', name: 'Sensor temperature', unit: '°C', fc: 3, address: 7, type: 'int16', scale: 0.1 });
  const site = fixtureSite();
  site.buses[0].devices.unshift({ id: 'underpass-2', manifest: 'water-level-rs485', address: 9 });
  const v2 = buildChannelTable(site, manifests, { previous: v1 });
  t.deepEqual(v2.channels.slice(0, v1.channels.length), v1.channels, 'every old channel keeps its number and resolution');
  t.deepEqual(v2.channels.slice(v1.channels.length).map((c) => `${c.device}.${c.point}`), ['underpass-2.sensor_temperature', 'underpass-2.level', 'underpass.sensor_temperature']);
  t.deepEqual(frames.map((f) => decodeMessage(f, v2)), frames.map((f) => decodeMessage(f, v1)));
  const fresh = buildChannelTable(site, manifests);
  t.not(fresh.channels[0].device, v1.channels[0].device, 'without the previous table, numbering follows site order (documented)');
});

test('channel table stability: a removed point is retired, never reused; resolution changes do not renumber', (t) => {
  const manifests = fixtureManifests();
  const v1 = buildChannelTable(fixtureSite(), manifests);
  const site = fixtureSite();
  site.buses[0].devices[1].points = { humidity: { disabled: true } };
  const v2 = buildChannelTable(site, manifests, { previous: v1 });
  const humidity = v2.channels.find((c) => c.device === 'climate' && c.point === 'humidity');
  t.is(humidity?.retired, true);
  t.is(findChannel(v2, 'climate', 'humidity'), undefined);
  t.is(v2.channels.length, v1.channels.length);
  const v3 = buildChannelTable(fixtureSite(), manifests, { previous: v2 });
  t.deepEqual(v3.channels, v1.channels, 'the point comes back at its old number');
});

test('alerts: every kind fits 11 bytes and round-trips; the rule carries device and point', (t) => {
  const table = buildChannelTable(fixtureSite(), fixtureManifests());
  const t0 = Date.UTC(2026, 6, 1, 3, 4, 5);
  const cases = [
    { rule: 'detector-smoke', device: 'detector', point: 'smoke_alarm', level: 'critical' as const, state: 'raised' as const, t: t0, value: true, message: 'smoke' },
    { rule: 'hydrant-low', device: 'hydrant', point: 'pressure', level: 'warning' as const, state: 'cleared' as const, t: t0, value: 0.153, message: '' },
    { rule: 'meter-offline', device: 'meter', level: 'warning' as const, state: 'acknowledged' as const, t: t0, message: '' },
  ];
  for (const event of cases) {
    const bytes = encodeAlert(event, table);
    t.true(bytes.length <= 11, `${event.rule}: ${bytes.length} bytes`);
    const { message: _m, ...expected } = event;
    t.deepEqual(decodeAlert(bytes, table), expected);
  }
  const huge = encodeAlert({ ...cases[1], value: 5e9 }, table);
  t.deepEqual([decodeAlert(huge, table).value, decodeAlert(huge, table).clipped], [2147483.647, true]);
  t.throws(() => encodeAlert({ ...cases[0], rule: 'nope' }, table), { name: 'BatchError', code: 'BATCH_UNKNOWN_RULE' });
});

test('status: 11 bytes, dropped and queued counters saturate', (t) => {
  const t0 = Date.UTC(2026, 6, 1);
  const bytes = encodeStatus({ t: t0 + 999, dropped: 1234, queued: 56 });
  t.is(toHex(bytes, ' '), '13 6a 44 58 80 00 04 d2 00 00 38');
  t.deepEqual(decodeStatus(bytes), { t: t0, dropped: 1234, queued: 56 });
  t.is(decodeStatus(encodeStatus({ t: t0, dropped: 1e9 })).dropped, STATUS_COUNTER_MAX);
  const table = buildChannelTable(fixtureSite(), fixtureManifests());
  t.deepEqual(decodeMessage(bytes, table), { type: 'status', status: { t: t0, dropped: 1234, queued: 56 } });
});

test('status answering a refused downlink: 17 bytes whose first 11 are the plain status; binary and CBOR agree', (t) => {
  const t0 = Date.UTC(2026, 6, 1);
  const refused = { count: 3, downlink: 0x02, reason: 'out-of-bounds' as const, index: 4 };
  const bytes = encodeStatus({ t: t0, dropped: 1234, queued: 56, refused });
  t.is(toHex(bytes, ' '), '13 6a 44 58 80 00 04 d2 00 00 38 00 03 02 03 00 04');
  t.deepEqual(decodeStatus(bytes), { t: t0, dropped: 1234, queued: 56, refused });
  t.deepEqual(decodeStatus(bytes.subarray(0, 11)), { t: t0, dropped: 1234, queued: 56 }, 'the first 11 bytes are the plain status');
  const malformed = { count: 70_000, downlink: 0x7f, reason: 'malformed' as const };
  t.deepEqual(decodeStatus(encodeStatus({ t: t0, dropped: 0, refused: malformed })).refused, { ...malformed, count: 0xffff }, 'no index, count saturates');
  const table = buildChannelTable(fixtureSite(), fixtureManifests());
  t.deepEqual(decodeCborMessage(encodeCborStatus({ t: t0, dropped: 1, refused }), table), { type: 'status', status: { t: t0, dropped: 1, queued: 0, refused } });
  t.throws(() => decodeStatus(Uint8Array.from([...bytes.subarray(0, 14), 9, 0, 4])), { message: /reason 9/ });
  t.throws(() => decodeStatus(bytes.subarray(0, 15)), { message: /expected 11 or 17/ });
});

test('encoder: samples it cannot carry are refused with a BatchError naming the point', (t) => {
  const table = buildChannelTable(fixtureSite(), fixtureManifests());
  const encoder = new BatchEncoder(table);
  t.throws(() => encoder.add({ device: 'underpass', point: 'decimals', t: 0, value: 1 }), { name: 'BatchError', code: 'BATCH_UNKNOWN_CHANNEL', message: /underpass\.decimals/ });
  t.throws(() => encoder.add({ device: 'detector', point: 'smoke_alarm', t: 0, value: 1 }), { code: 'BATCH_VALUE' });
  t.throws(() => encoder.add({ device: 'underpass', point: 'level', t: 0, value: Number.NaN }), { code: 'BATCH_VALUE' });
  t.throws(() => encoder.add({ device: 'underpass', point: 'level', t: -1, value: 1 }), { code: 'BATCH_TIME' });
  t.is(encoder.pending, 0);
});

test('encoder: a payload too small for one reading keeps it queued; a larger one sends it', (t) => {
  const table = buildChannelTable(fixtureSite(), fixtureManifests());
  const encoder = new BatchEncoder(table);
  encoder.add({ device: 'feeder', point: 'total_active_energy', t: EXAMPLE_T0, value: 12345678.9 });
  t.deepEqual(encoder.flush(11), []);
  t.is(encoder.pending, 1);
  const frames = encoder.flush(51);
  t.is(frames.length, 1);
  t.is(encoder.pending, 0);
  const decoded = decodeMessage(frames[0], table);
  t.deepEqual(decoded.type === 'batch' ? decoded.readings.map((r) => r.value) : [], [12345678.9]);
});

test('encoder: maxFrames limits a flush; the rest stays queued, in order', (t) => {
  const table = buildChannelTable(exampleSite(), fixtureManifests());
  const encoder = new BatchEncoder(table);
  for (const sample of exampleSamples()) encoder.add(sample);
  const first = encoder.flush(11, 1);
  t.is(first.length, 1);
  t.true(encoder.pending > 0 && encoder.pending < 9);
  const rest = encoder.flush(11);
  t.is(encoder.pending, 0);
  const count = [...first, ...rest].reduce((n, f) => {
    const m = decodeMessage(f, table);
    return n + (m.type === 'batch' ? m.readings.length : 0);
  }, 0);
  t.is(count, 9);
});

/** Decoded times (s after EXAMPLE_T0) of every reading in `frames`. */
function secondsOf(frames: readonly Uint8Array[], table: ReturnType<typeof buildChannelTable>): number[] {
  return frames.flatMap((f) => {
    const m = decodeMessage(f, table);
    return m.type === 'batch' ? m.readings.map((r) => (r.t - EXAMPLE_T0) / 1000) : [];
  });
}

test('stamps: polls every 2 s take a 2 s step, polls slower than the step keep it; a second read twice is carried', (t) => {
  const table = buildChannelTable(exampleSite(), fixtureManifests());
  const level = (s: number, value = 12.3) => ({ device: 'underpass', point: 'level', t: EXAMPLE_T0 + s * 1000, value });
  const fast = new BatchEncoder(table);
  for (const s of [0.3, 2.3, 4.3, 6.3, 8.3, 10.3]) fast.add(level(s));
  const fastFrames = fast.flush(51);
  t.deepEqual(secondsOf(fastFrames, table), [0, 2, 4, 6, 8, 10]);
  t.is(fastFrames[0][5] >> 5, 1, 'step code 1: 2 s');
  const slow = new BatchEncoder(table);
  for (const s of [0.3, 12.3, 24.3]) slow.add(level(s));
  const slowFrames = slow.flush(51);
  t.deepEqual(secondsOf(slowFrames, table), [0, 10, 20]);
  t.is(slowFrames[0][5] >> 5, 3, 'step code 3: 10 s');
  // A poll delayed until just before the next: 4.3 and 4.6 s share a second at the finest step; the later is carried to 5.
  const delayed = new BatchEncoder(table);
  for (const s of [0.3, 2.3, 4.3, 4.6, 6.3]) delayed.add(level(s));
  t.deepEqual(secondsOf(delayed.flush(51), table), [0, 2, 4, 5, 6]);
});

test('stamps: a restart within one step reissues none of the previous run’s; a clock set back by hours is taken as it is', (t) => {
  const table = buildChannelTable(exampleSite(), fixtureManifests());
  const level = (s: number) => ({ device: 'underpass', point: 'level', t: EXAMPLE_T0 + s * 1000, value: 12.3 });
  const before = new BatchEncoder(table);
  before.add(level(1.5));
  t.deepEqual(secondsOf(before.flush(51), table), [0]);
  // The gateway restarted at 4.2 s: without notBeforeMs its first reading would be stamped 0 again.
  const naive = new BatchEncoder(table);
  naive.add(level(5));
  t.deepEqual(secondsOf(naive.flush(51), table), [0]);
  const after = new BatchEncoder(table, { notBeforeMs: EXAMPLE_T0 + 4200 });
  after.add(level(5));
  after.add(level(15));
  t.deepEqual(secondsOf(after.flush(51), table), [5, 15]);
  // Within one encoder: a clock set back 5 minutes is carried past the last stamp (no stamp reissued) ...
  const encoder = new BatchEncoder(table);
  encoder.add(level(600));
  encoder.flush(51);
  encoder.add(level(300));
  t.deepEqual(secondsOf(encoder.flush(51), table), [601]);
  // ... one set back by two hours is taken as it is rather than piling hours of readings onto the next seconds.
  encoder.add(level(600 - 7200));
  t.deepEqual(secondsOf(encoder.flush(51), table), [600 - 7200]);
});

test('stamps: the CBOR form stamps as the binary frames do, and both give 2 s polls distinct times', (t) => {
  const table = buildChannelTable(exampleSite(), fixtureManifests());
  const samples = [0.3, 2.3, 4.3, 4.6, 6.3].map((s) => ({ device: 'underpass', point: 'level', t: EXAMPLE_T0 + s * 1000, value: s }));
  const encoder = new BatchEncoder(table);
  for (const sample of samples) encoder.add(sample);
  const binary = decodeMessage(encoder.flush(242)[0], table);
  t.deepEqual(decodeCborMessage(encodeCborBatch(samples, table), table), binary);
  t.deepEqual(binary.type === 'batch' ? binary.readings.map((r) => (r.t - EXAMPLE_T0) / 1000) : [], [0, 2, 4, 5, 6]);
});

test('decoder: a channel the table does not know is an error, or a warning when asked', (t) => {
  const big = buildChannelTable(fixtureSite(), fixtureManifests());
  const small = buildChannelTable(exampleSite(), fixtureManifests());
  const encoder = new BatchEncoder(big);
  encoder.add({ device: 'water', point: 'total_flow', t: EXAMPLE_T0, value: 1523.41 });
  encoder.add({ device: 'underpass', point: 'level', t: EXAMPLE_T0, value: 3 });
  const [frame] = encoder.flush(51);
  t.throws(() => decodeMessage(frame, small), { name: 'BatchError', code: 'BATCH_UNKNOWN_CHANNEL' });
  const warnings: string[] = [];
  const decoded = decodeMessage(frame, small, { warn: (w) => warnings.push(w) });
  t.is(decoded.type === 'batch' ? decoded.readings.length : -1, 1);
  t.is(warnings.length, 1);
  t.throws(() => decodeMessage(new Uint8Array([0x21]), small), { code: 'BATCH_VERSION' });
  t.throws(() => decodeMessage(new Uint8Array([0x1f]), small), { code: 'BATCH_TYPE' });
  t.throws(() => decodeMessage(frame.subarray(0, 4), small), { code: 'BATCH_MALFORMED', message: /frame ends/ });
});

test('CBOR form: batch, alert and status round-trip with the same meaning as the binary frames', (t) => {
  const table = buildChannelTable(exampleSite(), fixtureManifests());
  const samples = exampleSamples();
  const cbor = encodeCborBatch(samples, table);
  const encoder = new BatchEncoder(table);
  for (const sample of samples) encoder.add(sample);
  const binary = decodeMessage(encoder.flush(242)[0], table);
  t.deepEqual(decodeCborMessage(cbor, table), binary);
  t.is(cbor[0] & 0xe0, 0xa0, 'a CBOR map');
  const alert = { rule: 'underpass-ponding', device: 'underpass', point: 'level', level: 'warning' as const, state: 'raised' as const, t: EXAMPLE_T0, value: 16.04, message: '' };
  t.deepEqual(decodeCborMessage(encodeCborAlert(alert, table), table), { type: 'alert', alert: { rule: 'underpass-ponding', device: 'underpass', point: 'level', level: 'warning', state: 'raised', t: EXAMPLE_T0, value: 16.04 } });
  t.deepEqual(decodeCborMessage(encodeCborStatus({ t: EXAMPLE_T0, dropped: 7 }), table), { type: 'status', status: { t: EXAMPLE_T0, dropped: 7, queued: 0 } });
  t.throws(() => decodeCborMessage(new Uint8Array([0xa1, 0x61, 0x76, 0x02]), table), { name: 'BatchError', code: 'BATCH_CBOR' });
  // Earlier encoders gave two readings of a channel in one step the same k: such messages still decode, both readings.
  const twice = encodeCbor({ v: 1, m: 'batch', t0: EXAMPLE_T0 / 1000, step: 10, ch: [[0, [0, 0], [123, 124]]] });
  const old = decodeCborMessage(twice, table);
  t.deepEqual(old.type === 'batch' ? old.readings.map((r) => [r.t, r.value]) : [], [[EXAMPLE_T0, 12.3], [EXAMPLE_T0, 12.4]]);
  t.throws(() => decodeCborMessage(new Uint8Array([0xff, 0x00]), table), { name: 'BatchError', code: 'BATCH_CBOR' });
});

test('BatchError is an AxonError with a code and a fix', (t) => {
  const error = t.throws(() => decodeMessage(new Uint8Array(0), { format: 1, channels: [], rules: [] })) as BatchError;
  t.true(error instanceof BatchError);
  t.is(error.code, 'BATCH_EMPTY');
  t.truthy(error.fix);
});
