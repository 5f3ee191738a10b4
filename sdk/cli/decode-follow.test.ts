/**
 * `axon decode uplink --follow` against a real Mosquitto: messages on both
 * ChirpStack-style topic shapes (application name, as older `axon ns sim`, and
 * v4's application id) and on a gateway's own MQTT uplink topic are decoded and
 * printed live, one line per reading; a bad message is reported with its hex
 * and following goes on; Ctrl-C (SIGINT) ends it with exit 0. The command runs
 * as the user runs it (a child process), because Ctrl-C is the point.
 */
import test from 'ava';
import mqtt from 'mqtt';
import path from 'node:path';
import { encodeAlert, encodeCborBatch } from '../../drivers/batch/index.js';
import { siteChannelTable } from '../../drivers/gateway/site-channels.js';
import { startMosquitto } from '../../firmware/rpi/mqtt/test-brokers.js';
import { loadShippedManifests, loadSiteFile } from '../site/validate.js';
import { REPO_ROOT, startCli } from './test-kit.js';

const SITE = 'manifests/sites/demo.json';
const manifests = loadShippedManifests();
const table = siteChannelTable(loadSiteFile(path.join(REPO_ROOT, SITE), { manifests }), manifests);
const T0 = Date.UTC(2026, 11, 7, 8, 0, 0);

test('decode uplink --follow prints readings live from ChirpStack events and gateway MQTT uplinks until Ctrl-C', async (t) => {
  const broker = await startMosquitto({ username: 'cloud', password: 'secret' });
  t.teardown(() => broker.close());
  const url = broker.url.replace('mqtt://', 'mqtt://cloud:secret@');
  const follow = startCli(t, ['decode', 'uplink', '--follow', url, '--site', SITE, '--json']);
  await follow.waitFor(/following .*application\/\+\/device\/\+\/event\/up, axon\/\+\/up\/\+/, undefined, 'stderr');

  const publisher = await mqtt.connectAsync(url, { clientId: 'axon-test-publisher' });
  t.teardown(() => publisher.endAsync(true));
  const batch = encodeCborBatch([
    { device: 'underpass-longhua', point: 'level', t: T0, value: 12.3 },
    { device: 'underpass-caoxi', point: 'level', t: T0, value: 4 },
  ], table);
  const event = (data: Uint8Array) => JSON.stringify({ deduplicationId: 'x', fPort: 10, data: Buffer.from(data).toString('base64') });
  // Older axon ns sim: the application name; ChirpStack v4: the application id.
  await publisher.publishAsync('application/city/device/0004a30b001c0531/event/up', event(batch), { qos: 1 });
  await follow.waitFor(/"point":"level","value":4/);
  const alert = encodeAlert({ rule: 'underpass-longhua-ponding', device: 'underpass-longhua', point: 'level', level: 'critical', state: 'raised', t: T0 + 60_000, value: 26, message: '' }, table);
  await publisher.publishAsync('application/2f1ac4e0-8e4f-4e38-9c43-3a0f4d6c8f0e/device/0004a30b001c0531/event/up', event(alert), { qos: 1 });
  await follow.waitFor(/"type":"alert"/);
  // Not decodable: reported with its bytes on stderr, and the next message still prints.
  await publisher.publishAsync('axon/gw-7/up/2', Buffer.from([0xff, 0x00, 0x13]), { qos: 1 });
  const later = encodeCborBatch([{ device: 'underpass-longhua', point: 'level', t: T0 + 120_000, value: 30.5 }], table);
  await publisher.publishAsync('axon/gw-7/up/1', Buffer.from(later), { qos: 1 });
  await follow.waitFor(/"value":30\.5/);

  const stopped = await follow.stop();
  t.is(stopped.code, 0, follow.stderr);
  const lines = follow.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  t.deepEqual(lines, [
    { source: '0004a30b001c0531', type: 'reading', time: '2026-12-07T08:00:00.000Z', device: 'underpass-longhua', point: 'level', value: 12.3, unit: 'cm' },
    { source: '0004a30b001c0531', type: 'reading', time: '2026-12-07T08:00:00.000Z', device: 'underpass-caoxi', point: 'level', value: 4, unit: 'cm' },
    { source: '0004a30b001c0531', type: 'alert', time: '2026-12-07T08:01:00.000Z', rule: 'underpass-longhua-ponding', device: 'underpass-longhua', point: 'level', level: 'critical', state: 'raised', value: 26 },
    { source: 'gw-7', type: 'reading', time: '2026-12-07T08:02:00.000Z', device: 'underpass-longhua', point: 'level', value: 30.5, unit: 'cm' },
  ]);
  t.notRegex(follow.stderr, /secret/, 'the password is not printed');
  t.regex(follow.stderr, /axon: axon\/gw-7\/up\/2: cannot decode \(.*\); payload ff0013/);
  t.regex(follow.stderr, /stopped: 4 messages, 3 readings, 1 alerts, 0 statuses, 1 not decoded/);
});

test('decode uplink --follow without --json prints one readable line per reading', async (t) => {
  const broker = await startMosquitto({ username: 'cloud', password: 'secret' });
  t.teardown(() => broker.close());
  const url = broker.url.replace('mqtt://', 'mqtt://cloud:secret@');
  const follow = startCli(t, ['decode', 'uplink', '--follow', url, '--site', SITE]);
  await follow.waitFor(/following /, undefined, 'stderr');
  const publisher = await mqtt.connectAsync(url, { clientId: 'axon-test-publisher-2' });
  t.teardown(() => publisher.endAsync(true));
  await publisher.publishAsync('axon/gw-1/up/1', Buffer.from(encodeCborBatch([{ device: 'river-gauge', point: 'level', t: T0, value: 2.25 }], table)), { qos: 1 });
  await follow.waitFor(/\n$/);
  t.is(follow.stdout, '2026-12-07T08:00:00.000Z  gw-1  river-gauge.level = 2.25 m\n');
  t.is((await follow.stop()).code, 0);
});
