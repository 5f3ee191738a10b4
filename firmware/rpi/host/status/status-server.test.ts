/**
 * The status server over real HTTP, in front of a real Gateway on the demo
 * site in virtual time (one device left silent, the smoke alarm on):
 *  - /api/status: readings with units, the active alarm, bus failures by reason;
 *  - /metrics parses as Prometheus text (HELP/TYPE, _total counters) and agrees;
 *  - the token rule: every request, the acknowledge POST included, needs the
 *    token (header or ?token=); a non-loopback listen without one is refused;
 *  - the acknowledge POST does what the acknowledge downlink does.
 */
import test from 'ava';
import { demoSubset, MINUTE, Pipeline } from '../../../../drivers/gateway/test-support.js';
import { shippedManifests } from '../../../../sdk/site/demo-site.js';
import { createHostLog } from '../host-log.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';
import { parseListen, statusProblems } from './status-config.js';
import { StatusModel, type GatewayStatus } from './status-model.js';
import { startStatusServer } from './status-server.js';

const DEVICES = ['underpass-longhua', 'smoke-pump-room', 'hydrant-north'];
const TOKEN = 'f3b2c1d0e9a8b7c6d5e4';
const RULE = 'smoke-pump-room-smoke';

async function bench(t: import('ava').ExecutionContext, host = '127.0.0.1') {
  const lines: string[] = [];
  const log = await createHostLog({ level: 'info', write: (line) => lines.push(line) });
  let model: StatusModel | undefined;
  const p = new Pipeline({
    devices: DEVICES,
    sim: { absent: ['hydrant-north'], models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 1, durationMinutes: 600 } } } },
    gateway: { onEvent: (event) => model?.onEvent(event) },
  });
  model = new StatusModel({ site: demoSubset(DEVICES), manifests: shippedManifests(), gatewayId: 'gw-test', busPort: () => 'sim:bus', uplink: { kind: 'mqtt', describe: 'memory uplink', connected: () => true }, now: () => p.clock.unixTimeMs() });
  model.attach(p.gateway);
  p.gateway.start();
  await p.until(3 * MINUTE);
  const server = await startStatusServer({ listen: { host, port: 0 }, token: TOKEN }, model, log);
  t.teardown(async () => {
    await server.close();
    model?.close();
    await p.close();
  });
  const port = new URL(server.url).port;
  return { p, model, server, lines, base: `http://127.0.0.1:${port}` };
}

const auth = { Authorization: `Bearer ${TOKEN}` };

test('/api/status: readings with units, the active alarm, failed polls by reason', async (t) => {
  const { base } = await bench(t);
  const response = await fetch(`${base}/api/status`, { headers: auth });
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /^application\/json/);
  const status = (await response.json()) as GatewayStatus;
  t.is(status.gateway.id, 'gw-test');
  const level = status.devices.find((d) => d.id === 'underpass-longhua')?.points.find((p) => p.id === 'level');
  t.is(level?.unit, 'cm');
  t.is(typeof level?.value, 'number');
  t.true(level?.ok);
  t.deepEqual(status.alarms.map((a) => [a.rule, a.level, a.acknowledged]), [[RULE, 'critical', false]]);
  t.truthy(status.alarms[0].raisedAt);
  const bus = status.buses[0];
  t.true(bus.polls > 0);
  t.true((bus.failures.timeout ?? 0) > 0, JSON.stringify(bus));
  t.true(bus.failedPolls > 0);
  t.regex(bus.lastFailure?.text ?? '', /^\d+\/\d+ points failed: timeout at /);
  t.true(bus.utilisation > 0 && bus.utilisation <= 1, String(bus.utilisation));
  const hydrant = status.devices.find((d) => d.id === 'hydrant-north');
  t.false(hydrant?.ok);
  t.is(hydrant?.points[0].error?.reason, 'timeout');
  t.is(status.uplink.connected, true);
  t.is(typeof status.store.capacityBytes, 'number');
});

test('/metrics is valid Prometheus text and agrees with /api/status', async (t) => {
  const { base } = await bench(t);
  const response = await fetch(`${base}/metrics`, { headers: auth });
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusText(await response.text());
  const status = (await (await fetch(`${base}/api/status`, { headers: auth })).json()) as GatewayStatus;
  for (const family of families.values()) if (family.type === 'counter') t.regex(family.name, /_total$/);
  t.is(sampleValue(families, 'axon_polls_total', { bus: 'rs485-1' }), status.buses[0].polls);
  t.is(sampleValue(families, 'axon_poll_failures_total', { bus: 'rs485-1', reason: 'timeout' }), status.buses[0].failures.timeout);
  const level = status.devices.find((d) => d.id === 'underpass-longhua')?.points.find((p) => p.id === 'level');
  t.is(sampleValue(families, 'axon_reading', { device: 'underpass-longhua', point: 'level', unit: 'cm' }), Number(level?.value));
  t.is(sampleValue(families, 'axon_alarms_active', { level: 'critical', acknowledged: 'false' }), 1);
  t.is(sampleValue(families, 'axon_uplink_connected'), 1);
  t.is(sampleValue(families, 'axon_device_up', { device: 'hydrant-north' }), 0);
  t.true((sampleValue(families, 'process_resident_memory_bytes') ?? 0) > 0);
  t.throws(() => parsePrometheusText('# TYPE x_total counter\nx_total 1\n'), { message: /no HELP/ }, 'the reader itself refuses a family without HELP');
  t.throws(() => parsePrometheusText('# HELP x c\n# TYPE x counter\nx 1\n'), { message: /does not end in _total/ });
});

test('the token: every request needs it, as a Bearer header or ?token=; the acknowledge POST too', async (t) => {
  const { base, p } = await bench(t);
  for (const path of ['/', '/api/status', '/metrics']) {
    const none = await fetch(`${base}${path}`);
    t.is(none.status, 401, path);
    t.regex(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    t.is((await fetch(`${base}${path}`, { headers: { Authorization: 'Bearer wrong-token-0000000' } })).status, 401, path);
    t.is((await fetch(`${base}${path}?token=${TOKEN}`)).status, 200, path);
    t.is((await fetch(`${base}${path}`, { headers: auth })).status, 200, path);
  }
  const page = await fetch(`${base}/?token=${TOKEN}`);
  t.regex(page.headers.get('content-security-policy') ?? '', /script-src 'sha256-/);
  const ack = `${base}/api/alarms/${RULE}/acknowledge`;
  t.is((await fetch(ack, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status, 401);
  t.is((await fetch(ack, { method: 'POST', headers: { ...auth, 'Content-Type': 'text/plain' }, body: '{}' })).status, 415, 'a form post from another page is not an acknowledge');
  t.is(p.gateway.stats().activeAlarms[0].acknowledged, false, 'refused requests acknowledged nothing');
  t.is((await fetch(`${base}/api/alarms/no-such-rule/acknowledge`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{}' })).status, 404);
  t.is((await fetch(ack, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"level":"loud"}' })).status, 400);
});

test('the acknowledge POST acknowledges the alarm as the downlink does: an acknowledged alert goes up', async (t) => {
  const { base, p, lines } = await bench(t);
  const response = await fetch(`${base}/api/alarms/${RULE}/acknowledge?token=${TOKEN}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '' });
  t.is(response.status, 200);
  const body = (await response.json()) as { acknowledged: number; alarms: Array<{ acknowledged: boolean }> };
  t.is(body.acknowledged, 1);
  t.deepEqual(body.alarms.map((a) => a.acknowledged), [true]);
  await p.until(4 * MINUTE);
  t.deepEqual(p.alertLines(RULE), [`${RULE} critical raised`, `${RULE} critical acknowledged`]);
  const record = lines.map((line) => JSON.parse(line) as { event: string; rule?: string; level: string }).find((r) => r.event === 'acknowledge');
  t.is(record?.rule, RULE);
  t.is(record?.level, 'info');
});

test('listening off loopback: refused without a token (check and run share this), served with one', async (t) => {
  t.deepEqual(statusProblems({ status: { listen: '127.0.0.1:8080' } }, 'host.json'), []);
  t.deepEqual(statusProblems({ status: { listen: '[::1]:0' } }, 'host.json'), []);
  const refused = statusProblems({ status: { listen: '0.0.0.0:8080' } }, 'host.json');
  t.is(refused.length, 1);
  t.is(refused[0].path, '$.status');
  t.regex(refused[0].message, /reachable from other machines, without a token/);
  t.deepEqual(statusProblems({ status: { listen: '0.0.0.0:8080', token: TOKEN } }, 'host.json'), []);
  t.regex(statusProblems({ status: { listen: 'pi:http' } }, 'host.json')[0].message, /is not host:port/);
  t.deepEqual(parseListen('[::1]:8080'), { host: '::1', port: 8080 });

  const { base } = await bench(t, '0.0.0.0');
  t.is((await fetch(`${base}/api/status`)).status, 401);
  t.is((await fetch(`${base}/api/status`, { headers: auth })).status, 200);
});
