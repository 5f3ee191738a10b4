/**
 * Issue 9 §1 end to end on the Pi gateway (`axon gateway run` as a child
 * process, its bus a socat pty with simulated devices, a real Mosquitto):
 *  - the downlink that once stopped a device being polled, `02 cccc ffffff`
 *    (16 777 215 s), arrives over MQTT: the log says it was refused and why,
 *    the cloud hears a status saying so, and the device keeps being polled;
 *  - a valid poll period set by downlink, then the site file edited and the
 *    gateway restarted: the site file wins, and the log says so.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { toHex } from '../../../drivers/bytes.js';
import { demoSubset } from '../../../drivers/gateway/test-support.js';
import { siteChannelTable } from '../../../drivers/gateway/site-channels.js';
import { decodeUplink, type DecodedUplink } from '../../../sdk/codec/decode-uplink.js';
import { CliProcess, runCli } from '../../../sdk/cli/test-kit.js';
import { shippedManifests } from '../../../sdk/site/demo-site.js';
import { startMosquitto } from '../mqtt/test-brokers.js';
import { FarSide, until } from './test-support.js';

const GATEWAY_ID = 'pi-downlink-01';
const USER = { username: GATEWAY_ID, password: 'hydrant-9' };
const HYDRANT = 'hydrant-north';
const GPIO = { 'barrier-relay': 517, 'warning-light': 539, buzzer: 534 } as const;

type Heard = DecodedUplink & { atMs: number };

test('axon gateway run: 02 cccc ffffff over MQTT is refused, answered and logged, polling goes on; after a site edit the persisted period is dropped and the log says so', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-pi-dl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const broker = await startMosquitto(USER);
  t.teardown(() => broker.close());

  const site = demoSubset([HYDRANT]);
  site.buses[0].port = 'sim:not-on-this-pi';
  site.buses[0].devices[0].pollPeriodS = 2;
  site.uplink = { kind: 'mqtt', url: 'mqtt://192.0.2.1:1883' };
  const siteFile = path.join(dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(site, null, 2));

  const gpioRoot = path.join(dir, 'gpio');
  for (const line of Object.values(GPIO)) mkdirSync(path.join(gpioRoot, `gpio${line}`), { recursive: true });
  const gatewayLink = path.join(dir, 'ttyRS485');
  const passwordFile = path.join(dir, 'mqtt-password');
  writeFileSync(passwordFile, `${USER.password}\n`);
  const configFile = path.join(dir, 'host.json');
  writeFileSync(configFile, JSON.stringify({
    gatewayId: GATEWAY_ID,
    buses: { [site.buses[0].id]: { port: gatewayLink, reopenMs: 300 } },
    outputs: Object.fromEntries(Object.entries(GPIO).map(([id, gpio]) => [id, { gpio }])),
    gpioRoot,
    mqtt: { url: broker.url, username: USER.username, passwordFile },
    gateway: { flushEveryMs: 2000, statusEveryMs: 600_000 },
  }, null, 2));
  const dataDir = path.join(dir, 'data');

  const far = new FarSide(site, gatewayLink, path.join(dir, 'ttyDevices'));
  t.teardown(() => far.close());
  await far.plugIn();

  const table = siteChannelTable(site, shippedManifests());
  const channel = table.channels.find((c) => c.device === HYDRANT && c.retired !== true)?.index ?? -1;
  const heard: Heard[] = [];
  const cloud = await mqtt.connectAsync(broker.url, { username: USER.username, password: USER.password, clientId: 'cloud' });
  t.teardown(() => cloud.endAsync(true));
  cloud.on('message', (_topic, payload) => heard.push({ ...decodeUplink(new Uint8Array(payload), table), atMs: Date.now() }));
  await cloud.subscribeAsync(`axon/${GATEWAY_ID}/up/+`, { qos: 1 });
  const readingsSince = (sinceMs: number) => heard.filter((h) => h.atMs >= sinceMs).flatMap((h) => (h.type === 'batch' ? h.readings : []));
  const pollPeriod = (periodS: number) => Buffer.from(`02${channel.toString(16).padStart(4, '0')}${periodS.toString(16).padStart(6, '0')}`, 'hex');

  const args = ['gateway', 'run', '--site', siteFile, '--config', configFile, '--data', dataDir, '--report-every', '0'];
  const gateway = new CliProcess(args);
  t.teardown(() => gateway.stop());
  await gateway.waitFor(/uplink: MQTT connected to mqtt:\/\/127\.0\.0\.1/, 20_000);
  await until(() => readingsSince(0).length > 0, 'first readings');

  // 1. The downlink of the bug report.
  const bad = pollPeriod(16_777_215);
  t.is(toHex(bad), `02${channel.toString(16).padStart(4, '0')}ffffff`);
  await cloud.publishAsync(`axon/${GATEWAY_ID}/down/11`, bad, { qos: 1 });
  await gateway.waitFor(/error: poll period 16777215 s for device 'hydrant-north' refused: it must be 1–86400 s/, 10_000);
  await until(() => heard.some((h) => h.type === 'status' && h.status.refused !== undefined), 'the status answering the refusal');
  const answer = heard.find((h) => h.type === 'status' && h.status.refused !== undefined);
  t.deepEqual(answer?.type === 'status' ? answer.status.refused : undefined, { count: 1, downlink: 2, reason: 'out-of-bounds', index: channel });
  const refusedAt = Date.now();
  await until(() => readingsSince(refusedAt).some((r) => r.t >= refusedAt), 'readings polled after the refusal', 20_000);
  t.notRegex(gateway.stdout + gateway.stderr, /TimeoutOverflowWarning/);

  // 2. A valid period, persisted; a clean stop.
  await cloud.publishAsync(`axon/${GATEWAY_ID}/down/11`, pollPeriod(5), { qos: 1 });
  await gateway.waitFor(/downlink poll-period/, 10_000);
  gateway.child.kill('SIGTERM');
  t.is((await gateway.exited).code, 0, gateway.stdout + gateway.stderr);

  // 3. The operator edits the hydrant's entry in the site file; at the restart the site file wins.
  site.buses[0].devices[0].pollPeriodS = 3;
  writeFileSync(siteFile, JSON.stringify(site, null, 2));
  const restarted = await runCli([...args.slice(0, -2), '--report-every', '0', '--duration', '3'], 30_000);
  t.is(restarted.code, 0, restarted.stdout + restarted.stderr);
  t.regex(restarted.stdout, /poll period 5 s set by downlink for hydrant-north dropped: its entry in the site file changed since \(the site file wins\)/);
});
