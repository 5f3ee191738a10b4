/**
 * The shipped Mosquitto ACL (firmware/rpi/host/examples/mosquitto.acl) on a
 * real Mosquitto: only the platform account publishes downlinks, and each
 * gateway's credentials reach its own topics only. MQTT 5 clients, so a
 * refused publish comes back as a PUBACK reason code, and a subscriber on the
 * victim's topic checks that nothing got through either way.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { MqttUplink } from './mqtt-uplink.js';
import { freePort, makeSelfSignedCertificate, runMosquitto, startMosquitto, writeMosquittoPasswords } from './test-brokers.js';

const ACL = 'firmware/rpi/host/examples/mosquitto.acl';
const CONF = 'firmware/rpi/host/examples/mosquitto-axon.conf';
const PLATFORM = { username: 'axon-platform', password: 'platform-pw' };
const GW_A = { username: 'gw-a', password: 'a-pw' };
const GW_B = { username: 'gw-b', password: 'b-pw' };

async function client(url: string, user: { username: string; password: string }, ca?: string): Promise<MqttClient & { heard: string[] }> {
  const c = await mqtt.connectAsync(url, { ...user, ca, protocolVersion: 5, clientId: `${user.username}-${Math.random().toString(16).slice(2)}` });
  const heard: string[] = [];
  c.on('message', (topic, payload) => heard.push(`${topic} ${payload.toString('hex')}`));
  return Object.assign(c, { heard });
}

/** Resolves with the broker's verdict on a QoS 1 publish: 'ok' or the refusal's text. */
function publish(c: MqttClient, topic: string, bytes: number[]): Promise<string> {
  return c.publishAsync(topic, Buffer.from(bytes), { qos: 1 }).then(() => 'ok', (error: Error) => error.message);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

/** The gateway's "online": its downlink subscription is in place. */
async function online(platform: MqttClient & { heard: string[] }, gateway: string): Promise<void> {
  const line = `axon/${gateway}/status ${Buffer.from('online').toString('hex')}`;
  const deadline = Date.now() + 10_000;
  while (!platform.heard.includes(line)) {
    if (Date.now() > deadline) throw new Error(`no "online" from ${gateway}; heard ${platform.heard.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('shipped Mosquitto ACL: only the platform publishes downlinks; a gateway reaches its own topics only', async (t) => {
  // The policy lines of the shipped config snippet (its listener, TLS and paths are the installer's).
  const policy = readFileSync(CONF, 'utf8').split('\n').filter((line) => /^use_username_as_clientid /.test(line));
  t.deepEqual(policy, ['use_username_as_clientid true']);
  const broker = await startMosquitto(PLATFORM, { users: [GW_A, GW_B], aclFile: ACL, config: policy });
  t.teardown(() => broker.close());
  const platform = await client(broker.url, PLATFORM);
  const a = await client(broker.url, GW_A);
  const b = await client(broker.url, GW_B);
  t.teardown(async () => {
    for (const c of [platform, a, b]) await c.endAsync(true);
  });
  await b.subscribeAsync('axon/gw-b/down/+', { qos: 1 });
  await platform.subscribeAsync('axon/+/up/+', { qos: 1 });

  // Gateway A's credentials cannot publish to gateway B's down topic, nor to its own.
  t.regex(await publish(a, 'axon/gw-b/down/10', [0x01, 0x05]), /not authorized/i);
  t.regex(await publish(a, 'axon/gw-a/down/10', [0x01, 0x05]), /not authorized/i);
  // Nor pose as B on the uplink side.
  t.regex(await publish(a, 'axon/gw-b/up/10', [0xee]), /not authorized/i);
  // Nor read B's downlinks: Mosquitto 2.0 grants the subscription but checks read access per message.
  await a.subscribeAsync('axon/gw-b/down/+', { qos: 1 });

  // What the ACL allows: A's own uplink, and the platform's downlink to B.
  t.is(await publish(a, 'axon/gw-a/up/10', [0x13]), 'ok');
  t.is(await publish(platform, 'axon/gw-b/down/10', [0x02, 0x00, 0x03, 0x00, 0x00, 0x1e]), 'ok');
  await settle();
  t.deepEqual(b.heard, ['axon/gw-b/down/10 02000300001e'], 'B heard the platform, and only the platform');
  t.deepEqual(platform.heard, ['axon/gw-a/up/10 13'], 'the platform heard A on its own topic, never as B');
  t.deepEqual(a.heard, [], 'A heard none of B\'s downlinks');
  // The gateway itself works under the ACL: status (and will), uplinks, its downlinks.
  await platform.subscribeAsync('axon/gw-a/status', { qos: 1 });
  const uplink = await MqttUplink.connect({ url: broker.url, gatewayId: 'gw-a', ...GW_A });
  await online(platform, 'gw-a');
  t.teardown(() => uplink.close());
  const downlinks: string[] = [];
  uplink.onDownlink = (d) => downlinks.push(`${d.port} ${Buffer.from(d.payload).toString('hex')}`);
  await uplink.send({ port: 10, payload: Uint8Array.of(0x14), priority: 'data' });
  t.is(await publish(platform, 'axon/gw-a/down/10', [0x01, 0x05]), 'ok');
  await settle();
  t.deepEqual(downlinks, ['10 0105']);
  t.true(platform.heard.includes('axon/gw-a/up/10 14'));
});

test('the shipped config snippet as a whole runs Mosquitto over TLS: a gateway works, another gateway\'s credentials reach nothing of it', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-mosquitto-conf-'));
  const certificate = makeSelfSignedCertificate();
  t.teardown(() => certificate.cleanup());
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  writeMosquittoPasswords(path.join(dir, 'axon.passwd'), [PLATFORM, GW_A, GW_B]);
  const port = await freePort();
  // The installer's paths and port, replaced by the test's; each must be in the snippet as shipped.
  const replacements: Array<[string, string]> = [
    ['listener 8883', `listener ${port} 127.0.0.1`],
    ['/etc/mosquitto/certs/broker.crt', file('broker.crt', certificate.cert)],
    ['/etc/mosquitto/certs/broker.key', file('broker.key', certificate.key)],
    ['/etc/mosquitto/axon.passwd', path.join(dir, 'axon.passwd')],
    ['/etc/mosquitto/axon.acl', path.resolve(ACL)],
    ['/var/lib/mosquitto/', `${dir}/`],
  ];
  let config = readFileSync(CONF, 'utf8');
  for (const [from, to] of replacements) {
    t.true(config.includes(from), `the snippet has ${from}`);
    config = config.replace(from, to);
  }
  const broker = await runMosquitto(dir, `${config}\nuser ${os.userInfo().username}\n`, port, 'mqtts');
  t.teardown(() => broker.close());

  const platform = await client(broker.url, PLATFORM, certificate.cert);
  const b = await client(broker.url, GW_B, certificate.cert);
  t.teardown(async () => {
    for (const c of [platform, b]) await c.endAsync(true);
  });
  await platform.subscribeAsync('axon/gw-a/status', { qos: 1 });
  const uplink = await MqttUplink.connect({ url: broker.url, gatewayId: 'gw-a', ...GW_A, tls: { ca: certificate.cert } });
  await online(platform, 'gw-a');
  t.teardown(() => uplink.close());
  const downlinks: string[] = [];
  uplink.onDownlink = (d) => downlinks.push(Buffer.from(d.payload).toString('hex'));
  await b.subscribeAsync('axon/gw-a/#', { qos: 1 });
  t.regex(await publish(b, 'axon/gw-a/down/10', [0x01, 0x05]), /not authorized/i);
  t.is(await publish(platform, 'axon/gw-a/down/10', [0x01, 0x06]), 'ok');
  await uplink.send({ port: 10, payload: Uint8Array.of(0x15), priority: 'data' });
  await settle();
  t.deepEqual(downlinks, ['0106'], 'gw-a obeys the platform only');
  t.deepEqual(b.heard, [], 'gw-b read nothing of gw-a');
});
