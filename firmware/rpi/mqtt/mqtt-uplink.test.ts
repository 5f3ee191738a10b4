import test from 'ava';
import mqtt from 'mqtt';
import { startEmbeddedBroker } from './embedded-broker.js';
import { MqttUplink } from './mqtt-uplink.js';
import { makeSelfSignedCertificate, startMosquitto } from './test-brokers.js';

interface Received {
  topic: string;
  payload: Uint8Array;
  retain: boolean;
}

/** An independent observer (the "cloud side") subscribed to one gateway's subtree. */
async function observe(url: string, filter: string, auth: { username?: string; password?: string; ca?: string } = {}) {
  const client = await mqtt.connectAsync(url, { ...auth, clientId: `observer-${Math.random().toString(16).slice(2)}` });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload: new Uint8Array(payload), retain: packet.retain }));
  await client.subscribeAsync(filter, { qos: 1 });
  const waitFor = async (predicate: (m: Received) => boolean, ms = 5000): Promise<Received> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = messages.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching message within ${ms} ms; got ${messages.map((m) => m.topic).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { client, messages, waitFor };
}

async function endToEnd(t: import('ava').ExecutionContext, url: string, auth: { username?: string; password?: string; ca?: string }) {
  const observer = await observe(url, 'axon/gw-7/#', auth);
  const uplink = await MqttUplink.connect({ url, gatewayId: 'gw-7', username: auth.username, password: auth.password, tls: auth.ca ? { ca: auth.ca } : undefined });
  t.teardown(async () => {
    await uplink.close().catch(() => undefined);
    await observer.client.endAsync();
  });
  t.true((await observer.waitFor((m) => m.topic === 'axon/gw-7/status')).payload.length > 0);

  const alert = new Uint8Array([0x02, 0x01, 0x19, 0xff]);
  await uplink.send({ payload: alert, port: 2, priority: 'alert' }); // resolves on PUBACK
  const got = await observer.waitFor((m) => m.topic === 'axon/gw-7/up/2');
  t.deepEqual(Array.from(got.payload), Array.from(alert));

  const downlinks: Array<{ port: number; payload: number[] }> = [];
  uplink.onDownlink = (d) => downlinks.push({ port: d.port, payload: Array.from(d.payload) });
  await observer.client.publishAsync('axon/gw-7/down/3', Buffer.from([0xac, 0x01]), { qos: 1 });
  const deadline = Date.now() + 5000;
  while (downlinks.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(downlinks, [{ port: 3, payload: [0xac, 0x01] }]);
}

test('MQTT end to end with the embedded aedes broker: QoS 1 uplink, status, downlink', async (t) => {
  const broker = await startEmbeddedBroker({ port: 0 });
  t.teardown(() => broker.close());
  await endToEnd(t, broker.url, {});
});

test('MQTT over TLS with per-gateway credentials (aedes); wrong password is refused with a clear error', async (t) => {
  const certificate = makeSelfSignedCertificate();
  t.teardown(() => certificate.cleanup());
  const broker = await startEmbeddedBroker({ port: 0, tls: { key: certificate.key, cert: certificate.cert }, credentials: { 'gw-7': 's3cret' } });
  t.teardown(() => broker.close());
  t.true(broker.url.startsWith('mqtts://'));
  await endToEnd(t, broker.url, { username: 'gw-7', password: 's3cret', ca: certificate.cert });
  const refused = await t.throwsAsync(MqttUplink.connect({ url: broker.url, gatewayId: 'gw-8', username: 'gw-7', password: 'wrong', tls: { ca: certificate.cert }, connectTimeoutMs: 3000 }));
  t.is((refused as { code?: string }).code, 'UPLINK_CONNECT');
  t.regex(String(refused?.message), /username and password|Not authorized|Bad username/i);
  const untrusted = await t.throwsAsync(MqttUplink.connect({ url: broker.url, gatewayId: 'gw-9', username: 'gw-7', password: 's3cret', connectTimeoutMs: 3000 }));
  t.regex(String(untrusted?.message), /certificate|CA/i);
});

test('MQTT end to end with Mosquitto and a password file', async (t) => {
  const broker = await startMosquitto({ username: 'gw-7', password: 'pa55' });
  t.teardown(() => broker.close());
  await endToEnd(t, broker.url, { username: 'gw-7', password: 'pa55' });
});

test('while the broker is down send() fails fast and the uplink reconnects when it returns', async (t) => {
  const broker = await startEmbeddedBroker({ port: 0 });
  const uplink = await MqttUplink.connect({ url: broker.url, gatewayId: 'gw-1', reconnectMs: 200, ackTimeoutMs: 2000 });
  t.teardown(() => uplink.close().catch(() => undefined));
  const port = broker.port;
  await broker.close();
  const deadline = Date.now() + 5000;
  while (uplink.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const error = await t.throwsAsync(uplink.send({ payload: new Uint8Array([1]), port: 1, priority: 'data' }));
  t.is((error as { code?: string }).code, 'UPLINK_OFFLINE');
  const again = await startEmbeddedBroker({ port });
  t.teardown(() => again.close());
  // The gateway's store retries unacknowledged messages; do the same, bounded in time.
  const back = Date.now() + 15_000;
  let delivered = false;
  while (!delivered && Date.now() < back) {
    if (!uplink.connected) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    delivered = await uplink.send({ payload: new Uint8Array([2]), port: 1, priority: 'data' }).then(() => true, () => false);
  }
  t.true(delivered, 'a message is delivered after the broker returns');
});
