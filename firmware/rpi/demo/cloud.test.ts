/**
 * The demo's cloud counts what a platform keeps: delivery is at least once, so a
 * resent frame's copies are set aside and counted as repeats, never added to
 * the readings and alerts it shows beside the gateway's "sent" counters. A
 * warning and a critical raised by one rule in the same poll are two alerts.
 */
import test from 'ava';
import mqtt from 'mqtt';
import { encodeAlert, encodeCborBatch } from '../../../drivers/batch/index.js';
import { siteChannelTable } from '../../../drivers/gateway/site-channels.js';
import { demoSite } from '../../../sdk/site/demo-site.js';
import { loadShippedManifests } from '../../../sdk/site/validate.js';
import { startEmbeddedBroker } from '../mqtt/embedded-broker.js';
import { startCloud } from './cloud.js';

test('copies of resent frames are counted as repeats, not as new readings or alerts', async (t) => {
  const site = demoSite();
  const table = siteChannelTable(site, loadShippedManifests());
  const broker = await startEmbeddedBroker({ port: 0 });
  t.teardown(() => broker.close());
  const cloud = await startCloud(broker.url, { kind: 'gateway-mqtt', gatewayId: site.id }, table);
  t.teardown(() => cloud.close());
  const gateway = await mqtt.connectAsync(broker.url, { clientId: 'test-gateway' });
  t.teardown(() => gateway.endAsync(true));

  const t0 = Date.UTC(2026, 6, 15, 8);
  const batch = encodeCborBatch([{ device: 'underpass-longhua', point: 'level', t: t0, value: 20 }, { device: 'underpass-caoxi', point: 'level', t: t0, value: 21 }], table);
  const alert = (level: 'warning' | 'critical') => encodeAlert({ rule: 'underpass-longhua-ponding', device: 'underpass-longhua', point: 'level', level, state: 'raised', t: t0, value: 26, message: '' }, table);
  for (const [port, payload] of [[1, batch], [1, batch], [2, alert('warning')], [2, alert('critical')], [2, alert('critical')]] as const) {
    await gateway.publishAsync(`axon/${site.id}/up/${port}`, Buffer.from(payload), { qos: 1 });
  }
  for (let waited = 0; cloud.messages < 5 && waited < 300_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  t.is(cloud.messages, 5);
  t.is(cloud.readings, 2);
  t.is(cloud.frames, 1);
  t.is(cloud.repeatedReadings, 2);
  t.deepEqual(cloud.alerts.map((a) => a.level), ['warning', 'critical']);
  t.is(cloud.repeatedAlerts, 1);
});
