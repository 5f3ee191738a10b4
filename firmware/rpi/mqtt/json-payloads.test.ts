/**
 * The MQTT JSON format, message by message: binary frames as the gateway
 * stores them, turned into the JSON documented in docs/mqtt.md.
 */
import test from 'ava';
import { encodeAlert } from '../../../drivers/batch/alert.js';
import { BatchEncoder } from '../../../drivers/batch/encoder.js';
import { encodeStatus } from '../../../drivers/batch/status.js';
import { siteChannelTable } from '../../../drivers/gateway/site-channels.js';
import { demoSubset } from '../../../drivers/gateway/test-support.js';
import { shippedManifests } from '../../../sdk/site/demo-site.js';
import { jsonPayload } from './json-payloads.js';

const table = siteChannelTable(demoSubset(['underpass-longhua', 'smoke-pump-room']), shippedManifests());
const T = Date.UTC(2026, 4, 1, 8, 0, 0);
const parse = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;

test('a batch frame: readings with device, point, unit, ISO time and value', (t) => {
  const encoder = new BatchEncoder(table);
  encoder.add({ device: 'underpass-longhua', point: 'level', t: T, value: 12.5 });
  encoder.add({ device: 'smoke-pump-room', point: 'smoke_alarm', t: T + 60_000, value: true });
  const [frame] = encoder.flush(200);
  t.deepEqual(parse(jsonPayload(frame, table, 'gw-1')), {
    gateway: 'gw-1',
    type: 'readings',
    readings: [
      { device: 'underpass-longhua', point: 'level', unit: 'cm', time: '2026-05-01T08:00:00.000Z', value: 12.5 },
      { device: 'smoke-pump-room', point: 'smoke_alarm', unit: '', time: '2026-05-01T08:01:00.000Z', value: true },
    ],
  });
});

test('an alert, and a status', (t) => {
  const alert = encodeAlert({ rule: 'smoke-pump-room-smoke', device: 'smoke-pump-room', point: 'smoke_alarm', level: 'critical', state: 'raised', t: T, value: true, message: 'smoke' }, table);
  t.deepEqual(parse(jsonPayload(alert, table, 'gw-1')), {
    gateway: 'gw-1',
    type: 'alerts',
    alerts: [{ rule: 'smoke-pump-room-smoke', device: 'smoke-pump-room', point: 'smoke_alarm', level: 'critical', state: 'raised', time: '2026-05-01T08:00:00.000Z', value: true }],
  });
  t.deepEqual(parse(jsonPayload(encodeStatus({ t: T, dropped: 3, queued: 7 }), table, 'gw-1')), { gateway: 'gw-1', type: 'status', status: { time: '2026-05-01T08:00:00.000Z', dropped: 3, queued: 7 } });
});

test('bytes that do not decode are not lost: they go out as hex with the reason', (t) => {
  const json = parse(jsonPayload(Uint8Array.from([0xff, 0x00, 0x01]), table, 'gw-1'));
  t.is(json.type, 'undecoded');
  t.is(json.payload, 'ff0001');
  t.is(typeof json.error, 'string');
});
