/**
 * `axon gateway run` and its MQTT session on a real Mosquitto, watched by an
 * independent "platform" client:
 *  - "online" once and one status uplink at start; "offline" once on SIGTERM
 *    (the last will does not fire after a clean stop);
 *  - a downlink published while the gateway is stopped is obeyed when it
 *    starts again (persistent session);
 *  - with mqtt.downlinkKeyFile, unsigned, badly signed and replayed downlinks
 *    are refused, logged and counted, also after a restart.
 * The bus is a serial path with nothing on it: these tests are about the uplink.
 * Serial: each starts gateway processes (node + tsx), slow on a loaded machine.
 */
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { encodeDownlink } from '../../../drivers/gateway/downlink.js';
import { siteChannelTable } from '../../../drivers/gateway/site-channels.js';
import { demoSubset } from '../../../drivers/gateway/test-support.js';
import { decodeUplink } from '../../../sdk/codec/decode-uplink.js';
import { CliProcess, runCli } from '../../../sdk/cli/test-kit.js';
import { shippedManifests } from '../../../sdk/site/demo-site.js';
import { signDownlink } from '../mqtt/signed-downlink.js';
import { startMosquitto, type MosquittoBroker } from '../mqtt/test-brokers.js';
import { until } from './test-support.js';

const GATEWAY_ID = 'pi-mqtt-01';
const GATEWAY_USER = { username: GATEWAY_ID, password: 'gw-secret-1' };
const PLATFORM_USER = { username: 'platform', password: 'platform-secret-1' };
const DEVICE = 'hydrant-north';
const KEY = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i);
const DOWN = `axon/${GATEWAY_ID}/down/10`;

interface Heard {
  topic: string;
  text: string;
  kind: string;
}

interface Bench {
  broker: MosquittoBroker;
  platform: MqttClient;
  heard: Heard[];
  args: string[];
  keyFile: string;
  /** A poll-period downlink for the site's device. */
  pollPeriod(periodS: number): Uint8Array;
  start(): Promise<CliProcess>;
}

async function bench(t: ExecutionContext, options: { signed?: boolean } = {}): Promise<Bench> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-pi-mqtt-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const broker = await startMosquitto(GATEWAY_USER, { users: [PLATFORM_USER] });
  t.teardown(() => broker.close());

  const site = demoSubset([DEVICE]);
  site.outputs = [];
  site.rules = [];
  site.buses[0].port = path.join(dir, 'no-adapter-plugged-in');
  site.uplink = { kind: 'mqtt', url: broker.url };
  const siteFile = path.join(dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(site));
  const keyFile = path.join(dir, 'downlink.key');
  writeFileSync(keyFile, `${Buffer.from(KEY).toString('hex')}\n`, { mode: 0o600 });
  const config = { gatewayId: GATEWAY_ID, mqtt: { ...GATEWAY_USER, ...(options.signed === true ? { downlinkKeyFile: keyFile } : {}) }, gateway: { statusEveryMs: 600_000 } };
  const configFile = path.join(dir, 'host.json');
  writeFileSync(configFile, JSON.stringify(config));

  const table = siteChannelTable(site, shippedManifests());
  const platform = await mqtt.connectAsync(broker.url, { ...PLATFORM_USER, clientId: 'platform' });
  t.teardown(() => platform.endAsync(true));
  const heard: Heard[] = [];
  platform.on('message', (topic, payload) => {
    const kind = topic.endsWith('/status') ? 'mqtt-status' : decodeUplink(new Uint8Array(payload), table).type;
    heard.push({ topic, text: payload.toString('utf8'), kind });
  });
  await platform.subscribeAsync([`axon/${GATEWAY_ID}/up/+`, `axon/${GATEWAY_ID}/status`], { qos: 1 });

  const args = ['gateway', 'run', '--site', siteFile, '--config', configFile, '--data', path.join(dir, 'data'), '--report-every', '0'];
  return {
    broker,
    platform,
    heard,
    args,
    keyFile,
    pollPeriod: (periodS) => encodeDownlink({ kind: 'poll-period', device: DEVICE, periodS }, table),
    async start() {
      const online = () => heard.filter((h) => h.kind === 'mqtt-status' && h.text === 'online').length;
      const before = online();
      const gateway = new CliProcess(args);
      t.teardown(() => gateway.stop());
      await gateway.waitFor(/uplink: MQTT connected to mqtt:\/\/127\.0\.0\.1/, 45_000);
      // "online" comes once the gateway's downlink subscription is in place.
      await until(() => online() > before, '"online" from the gateway');
      return gateway;
    },
  };
}

async function sigterm(gateway: CliProcess): Promise<void> {
  gateway.child.kill('SIGTERM');
  const exit = await gateway.exited;
  if (exit.code !== 0) throw new Error(`gateway exited ${exit.code}: ${gateway.stdout}${gateway.stderr}`);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test.serial('one "online" and one status uplink at start; one "offline" on SIGTERM (no last will after a clean stop)', async (t) => {
  const b = await bench(t);
  const gateway = await b.start();
  await until(() => b.heard.some((h) => h.kind === 'status'), 'the status uplink');
  // The sender retries with a back-off from 1 s: wait out two rounds for a second status to show.
  await pause(2500);
  await sigterm(gateway);
  t.regex(gateway.stdout, /stopped: .*sent 0 frames, 0 alerts, 1 status/);
  // Mosquitto publishes a will as soon as it sees the socket drop; give it time to show.
  await pause(1500);
  const statusTopic = b.heard.filter((h) => h.kind === 'mqtt-status').map((h) => h.text);
  t.deepEqual(statusTopic, ['online', 'offline'], gateway.stdout);
  t.is(b.heard.filter((h) => h.kind === 'status').length, 1, 'one status uplink at start');
});

test.serial('a downlink published while the gateway is stopped is obeyed when it starts again (persistent session)', async (t) => {
  const b = await bench(t);
  const first = await b.start();
  // The broker has the gateway's session and subscription once it is connected; stop it cleanly.
  await until(() => b.heard.some((h) => h.kind === 'status'), 'the status uplink');
  await sigterm(first);
  await b.platform.publishAsync(DOWN, Buffer.from(b.pollPeriod(45)), { qos: 1 });
  const second = await b.start();
  await second.waitFor(/downlink poll-period/, 10_000);
  t.pass();
});

test.serial('signed downlinks: unsigned, badly signed and replayed ones are refused, logged and counted, also after a restart', async (t) => {
  const b = await bench(t, { signed: true });
  const gateway = await b.start();
  t.regex(gateway.stdout, /signed downlinks only \(key .*downlink\.key, last counter 0\)/);
  const send = (bytes: Uint8Array) => b.platform.publishAsync(DOWN, Buffer.from(bytes), { qos: 1 });
  const sign = (counter: number, payload: Uint8Array, key = KEY, gatewayId = GATEWAY_ID) => signDownlink({ key, gatewayId, port: 10, counter, payload });

  await send(b.pollPeriod(45));
  await gateway.waitFor(/downlink refused on axon\/pi-mqtt-01\/down\/10: unsigned \(6 bytes, no signed envelope\).*Fix: sign it with `axon mqtt sign-downlink`.*\(1 refused so far\)/);
  await send(sign(5, b.pollPeriod(45), KEY.map((x) => x ^ 1)));
  await gateway.waitFor(/refused .*signature does not match.*\(2 refused so far\)/);
  await send(sign(5, b.pollPeriod(45), KEY, 'pi-mqtt-02'));
  await gateway.waitFor(/refused .*signature does not match.*\(3 refused so far\)/);
  const accepted = sign(5, b.pollPeriod(45));
  await send(accepted);
  await gateway.waitFor(/downlink poll-period/);
  await send(accepted);
  await gateway.waitFor(/refused .*replayed: counter 5 is not above the last accepted 5.*\(4 refused so far\)/);
  await send(sign(4, b.pollPeriod(60)));
  await gateway.waitFor(/refused .*replayed: counter 4 .*\(5 refused so far\)/);
  await sigterm(gateway);
  t.regex(gateway.stdout, /stopped: .*; 1 signed downlinks accepted, 5 refused/);
  t.is(gateway.stdout.match(/downlink poll-period/g)?.length, 1, 'obeyed once');

  // Restarted, it still knows counter 5: the recorded downlink is refused.
  const again = await b.start();
  t.regex(again.stdout, /last counter 5\)/);
  await send(accepted);
  await again.waitFor(/refused .*replayed: counter 5 is not above the last accepted 5.*\(1 refused so far\)/);
  await send(sign(6, b.pollPeriod(60)));
  await again.waitFor(/downlink poll-period/);
  t.false(again.stdout.includes(Buffer.from(KEY).toString('hex')), 'the key is never logged');
});

test.serial('a downlink key file that is not a key: gateway check and gateway run refuse it alike, without showing its content', async (t) => {
  const b = await bench(t, { signed: true });
  writeFileSync(b.keyFile, 'hunter2-not-hex\n');
  const expected = /\$\.mqtt\.downlinkKeyFile: the downlink key file does not hold a hex key \(15 characters.*Fix: write a key of 16 to 64 bytes as hex/;
  const check = await runCli(['gateway', 'check', ...b.args.slice(2, 6)]);
  t.is(check.code, 1);
  t.regex(check.stderr, expected);
  const run = await runCli(b.args);
  t.is(run.code, 1);
  t.regex(run.stderr, expected);
  t.false(`${check.stdout}${check.stderr}${run.stdout}${run.stderr}`.includes('hunter2'));
});
