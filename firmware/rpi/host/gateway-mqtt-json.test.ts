/**
 * `mqtt.format: "json"` on a real gateway and a real Mosquitto: the bus a
 * socat pty with simulated devices, the smoke alarm on. A plain MQTT client
 * (as Telegraf or Node-RED would be) reads decoded readings with device,
 * point, unit, ISO time and value, and the alert, as JSON without Axon's codec.
 */
import test from 'ava';
import mqtt from 'mqtt';
import { CliProcess } from '../../../sdk/cli/test-kit.js';
import { piBench, until } from './test-support.js';

const GATEWAY_ID = 'pi-json-01';
const USER = { username: GATEWAY_ID, password: 'json-format-pw' };
const DEVICES = ['underpass-longhua', 'smoke-pump-room'];

interface JsonReading { device: string; point: string; unit: string; time: string; value: number | boolean }
interface JsonAlert { rule: string; device: string; level: string; state: string; time: string; value?: number | boolean }
interface JsonMessage { gateway: string; type: string; readings?: JsonReading[]; alerts?: JsonAlert[]; status?: { time: string } }

test('mqtt.format json: decoded readings (device, point, unit, ISO time, value) and alerts as JSON on the up topics', async (t) => {
  const { broker, args } = await piBench(t, {
    gatewayId: GATEWAY_ID,
    password: USER.password,
    devices: DEVICES,
    config: { mqtt: { ...USER, format: 'json' }, status: false, gateway: { flushEveryMs: 2000 } },
  });

  const heard: Array<{ topic: string; json: JsonMessage }> = [];
  const telegraf = await mqtt.connectAsync(broker.url, { ...USER, clientId: 'telegraf' });
  t.teardown(() => telegraf.endAsync(true));
  telegraf.on('message', (topic, payload) => heard.push({ topic, json: JSON.parse(payload.toString('utf8')) as JsonMessage }));
  await telegraf.subscribeAsync(`axon/${GATEWAY_ID}/up/+`, { qos: 1 });

  const gateway = new CliProcess([...args, '--report-every', '0']);
  t.teardown(() => gateway.stop());
  await gateway.waitFor(/as pi-json-01 \(topics axon\/pi-json-01\/up\/\+, JSON payloads\)/);
  const readings = () => heard.flatMap((h) => h.json.readings ?? []);
  const alerts = () => heard.flatMap((h) => h.json.alerts ?? []);
  await until(() => readings().some((r) => r.device === 'underpass-longhua' && r.point === 'level') && alerts().some((a) => a.rule === 'smoke-pump-room-smoke' && a.state === 'raised'),
    'JSON readings and the smoke alert', 60_000, () => JSON.stringify(heard) + gateway.stdout);

  const level = readings().find((r) => r.device === 'underpass-longhua' && r.point === 'level');
  t.is(level?.unit, 'cm');
  t.is(typeof level?.value, 'number');
  t.regex(level?.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.true(Math.abs(Date.parse(level?.time ?? '') - Date.now()) < 120_000, 'a time of this run');
  const smoke = readings().find((r) => r.device === 'smoke-pump-room' && r.point === 'temperature');
  t.is(smoke?.unit, '°C');
  const alert = alerts().find((a) => a.rule === 'smoke-pump-room-smoke');
  t.like(alert, { device: 'smoke-pump-room', level: 'critical', state: 'raised', value: true });
  t.true(heard.every((h) => h.json.gateway === GATEWAY_ID));
  t.true(heard.some((h) => h.json.type === 'status' && typeof h.json.status?.time === 'string'), 'the start-up status too');
  t.true(heard.filter((h) => h.json.type === 'readings').every((h) => h.topic === `axon/${GATEWAY_ID}/up/10`), 'readings on the data port');
  t.true(heard.filter((h) => h.json.type === 'alerts').every((h) => h.topic === `axon/${GATEWAY_ID}/up/11`), 'alerts on the alert port');
});
