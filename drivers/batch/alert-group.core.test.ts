/** Alert groups (type 5, docs/batch-format.md §6.1): packing, decoding, the lone-alert rule, limits. */
import { test } from '../../test/kit/core-test.js';
import { toHex } from '../bytes.js';
import type { AlertEvent } from '../gateway/events.js';
import { buildChannelTable, decodeAlert, decodeMessage, encodeAlert, encodeAlertGroup, expandAlertGroup, packAlerts } from './index.js';
import { exampleSite, fixtureManifests, fixtureSite } from './test-support.js';

const table = buildChannelTable(fixtureSite(), fixtureManifests());
const t0 = Date.UTC(2026, 6, 1, 3, 4, 5);

function alert(k: number, over: Partial<AlertEvent> = {}): AlertEvent {
  return { rule: 'hydrant-low', device: 'hydrant', point: 'pressure', level: 'warning', state: k % 2 === 0 ? 'raised' : 'cleared', t: t0 + k * 1000, value: k / 1000, message: '', ...over };
}

const strip = ({ message: _m, ...rest }: AlertEvent) => rest;

test('alert group: decodes to the same alerts as the single messages, critical first, then oldest', (t) => {
  const events = [
    alert(0),
    { rule: 'meter-offline', device: 'meter', level: 'critical' as const, state: 'raised' as const, t: t0 + 2000, message: 'offline' },
    alert(3, { value: -2.5 }),
    { rule: 'detector-smoke', device: 'detector', point: 'smoke_alarm', level: 'critical' as const, state: 'raised' as const, t: t0 + 9000, value: true, message: '' },
    alert(4, { value: 40_000 }),
  ];
  const singles = events.map((e) => encodeAlert(e, table));
  const group = encodeAlertGroup(singles);
  t.is(group[0], 0x15, 'type 5');
  // Header 5; no-value entries 4; values within int16 6; 40,000 MPa at 0.001 needs int32: 8.
  t.is(group.length, 5 + 6 + 4 + 6 + 4 + 8, `${group.length} bytes against ${singles.reduce((n, s) => n + s.length, 0)} as single messages`);
  const decoded = decodeMessage(group, table);
  if (decoded.type !== 'alerts') return t.fail(`decoded as ${decoded.type}`);
  t.deepEqual(decoded.alerts, [events[1], events[3], events[0], events[2], events[4]].map(strip));
  t.deepEqual(expandAlertGroup(group).map((b) => toHex(b)), [1, 3, 0, 2, 4].map((i) => toHex(singles[i])), 'each entry expands to the very bytes it was packed from');
});

test('alert group: a lone alert stays the type-2 message, byte for byte; a group needs two', (t) => {
  const single = encodeAlert(alert(1), table);
  const packed = packAlerts([single], 51);
  t.is(packed.count, 1);
  t.is(packed.payload, single, 'the stored bytes themselves');
  t.deepEqual(decodeMessage(packed.payload, table), { type: 'alert', alert: decodeAlert(single, table) });
  t.throws(() => encodeAlertGroup([single]), { name: 'BatchError', code: 'BATCH_VALUE' });
  t.throws(() => encodeAlertGroup([single, new Uint8Array([0x11, 0, 0])]), { name: 'BatchError', code: 'BATCH_TYPE' });
});

test('alert group: packing takes the oldest that fit the payload limit; N alerts go in ⌈N/k⌉ messages', (t) => {
  const singles = Array.from({ length: 20 }, (_, k) => encodeAlert(alert(k), table));
  // Each entry: 6 bytes (a small value). At 51 bytes k = ⌊(51 − 5) / 6⌋ = 7; at 11 bytes a group of two (17) never fits.
  for (const [max, k] of [[51, 7], [242, 20], [11, 1], [17, 2]] as const) {
    let rest = singles;
    let messages = 0;
    const decoded: string[] = [];
    while (rest.length > 0) {
      const { payload, count } = packAlerts(rest, max);
      t.true(payload.length <= max || count === 1, `${payload.length} ≤ ${max}`);
      t.is(count, Math.min(k, rest.length), `at ${max} bytes a message carries ${k}`);
      const m = decodeMessage(payload, table);
      for (const a of m.type === 'alerts' ? m.alerts : m.type === 'alert' ? [m.alert] : []) decoded.push(`${a.state}@${a.t}`);
      rest = rest.slice(count);
      messages++;
    }
    t.is(messages, Math.ceil(20 / k), `${messages} messages at ${max} bytes`);
    t.deepEqual(decoded.sort(), singles.map((s) => decodeAlert(s, table)).map((a) => `${a.state}@${a.t}`).sort(), 'every alert once');
  }
});

test('alert group: alerts more than 65,535 s apart go in separate messages; malformed groups are errors', (t) => {
  const early = encodeAlert(alert(0), table);
  const late = encodeAlert(alert(1, { t: t0 + 70_000_000 }), table);
  t.is(packAlerts([early, late, late], 242).count, 1, 'the span would not fit 16-bit offsets');
  t.is(packAlerts([late, late], 242).count, 2);
  t.throws(() => encodeAlertGroup([early, late]), { name: 'BatchError', code: 'BATCH_TIME' });
  const group = encodeAlertGroup([early, early]);
  t.throws(() => decodeMessage(group.subarray(0, group.length - 1), table), { name: 'BatchError', code: 'BATCH_LENGTH' });
  t.throws(() => decodeMessage(group.subarray(0, 6), table), { name: 'BatchError', code: 'BATCH_LENGTH' });
  const noValueShort = Uint8Array.from([0x15, 0, 0, 0, 0, 0, 0x01, 0, 0]);
  t.throws(() => decodeMessage(noValueShort, table), { name: 'BatchError', code: 'BATCH_MALFORMED' });
});

test('alert group: the example of docs/batch-format.md §6.1, byte for byte', (t) => {
  const exampleTable = buildChannelTable(exampleSite(), fixtureManifests());
  const at = Date.UTC(2026, 6, 15, 8, 10, 0);
  const base = { rule: 'underpass-ponding', device: 'underpass', point: 'level', state: 'raised' as const, message: '' };
  const warning = encodeAlert({ ...base, level: 'warning', t: at, value: 16.0 }, exampleTable);
  const critical = encodeAlert({ ...base, level: 'critical', t: at + 4000, value: 31.2 }, exampleTable);
  t.is(toHex(warning, ' '), '12 00 18 6a 57 40 58 00 00 00 a0');
  t.is(toHex(critical, ' '), '12 00 98 6a 57 40 5c 00 00 01 38');
  t.is(toHex(packAlerts([warning, critical], 51).payload, ' '), '15 6a 57 40 58 00 99 00 04 01 38 00 19 00 00 00 a0');
});
