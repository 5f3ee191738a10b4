/**
 * Downlinks: an application payload queued with MQTT command/down reaches
 * the device in the receive window after its next uplink (opened by OUR
 * decoder), the device's ACK produces event/ack; MAC commands answer
 * LinkCheckReq / DeviceTimeReq and ask DevStatusReq, whose answer is
 * published as event/status.
 */
import test from 'ava';
import { openDataFrame } from '../../drivers/lorawan/data-frame.js';
import { ABP, ABP_DEVADDR, ABP_KEYS, cipher, CITY_APP_ID, dataUp, EventCollector, startTestNs, TestForwarder, until } from './test-support.js';

const QUEUE_ITEM = '0b7d1e52-3c4a-4f0e-9d2b-6a8f1c3e5d70';

test('a downlink queued via MQTT command/down reaches the device; its ACK is published as event/ack', async (t) => {
  const sim = await startTestNs(t);
  const events = await EventCollector.connect(t, sim.mqttUrl);
  const gw = await TestForwarder.start(t, sim.udp.port);
  await gw.pull();

  await events.client.publishAsync(`application/${CITY_APP_ID}/device/${ABP.devEui}/command/down`, JSON.stringify({ devEui: ABP.devEui, fPort: 20, data: Buffer.from([0xa1, 0x01, 0x2c]).toString('base64'), confirmed: true, id: QUEUE_ITEM }), { qos: 1 });
  await until(() => sim.mqtt.downlinksQueued === 1);

  await gw.push([{ phy: dataUp(ABP_KEYS, ABP_DEVADDR, 65_531, Uint8Array.of(0x13, 0, 0, 0, 0, 0, 0)), tmst: 1_000_000 }]);
  const resp = await gw.nextPullResp(0);
  const down = openDataFrame(cipher, resp.phy, ABP_KEYS);
  t.like(down, { mType: 'confirmed-data-down', fPort: 20, fCnt: 0 });
  t.deepEqual([...down.payload], [0xa1, 0x01, 0x2c]);
  t.false(down.fCtrl.ack, 'the uplink was unconfirmed');

  await gw.push([{ phy: dataUp(ABP_KEYS, ABP_DEVADDR, 65_532, Uint8Array.of(0x13), { ack: true }), tmst: 2_000_000 }]);
  const ack = await events.next('/event/ack');
  t.like(ack.body, { deviceInfo: { devEui: ABP.devEui }, acknowledged: true, fCntDown: 0, queueItemId: QUEUE_ITEM });
  const txack = await events.next('/event/txack');
  t.like(txack.body, { queueItemId: QUEUE_ITEM, fCntDown: 0 });
});

test('MAC commands: LinkCheckAns and DeviceTimeAns answer the device, DevStatusReq is answered in event/status', async (t) => {
  const sim = await startTestNs(t);
  const events = await EventCollector.connect(t, sim.mqttUrl);
  const gw = await TestForwarder.start(t, sim.udp.port);
  await gw.pull();
  sim.ns.requestDeviceStatus(ABP.devEui);

  // FOpts: LinkCheckReq (0x02), DeviceTimeReq (0x0d).
  await gw.push([{ phy: dataUp(ABP_KEYS, ABP_DEVADDR, 65_531, Uint8Array.of(0x13), { fOpts: Uint8Array.of(0x02, 0x0d) }), tmst: 1_000_000, lsnr: 2.5, datr: 'SF9BW125' }]);
  const down = openDataFrame(cipher, (await gw.nextPullResp(0)).phy, ABP_KEYS);
  const fOpts = [...down.fOpts];
  t.deepEqual(fOpts.slice(0, 1), [0x06], 'DevStatusReq queued first');
  t.deepEqual(fOpts.slice(1, 4), [0x02, 15, 1], 'LinkCheckAns: margin 2.5 − (−12.5) = 15 dB, one gateway');
  t.is(fOpts[4], 0x0d);
  const gpsSeconds = fOpts[5] | (fOpts[6] << 8) | (fOpts[7] << 16) | (fOpts[8] * 2 ** 24);
  // The rxpk time of the test forwarder is 2026-07-15 08:30 UTC; GPS = Unix − 315964800 + 18.
  t.is(gpsSeconds, Date.UTC(2026, 6, 15, 8, 30) / 1000 - 315_964_800 + 18);

  // DevStatusAns: battery 200, margin −3 dB (6-bit two's complement).
  await gw.push([{ phy: dataUp(ABP_KEYS, ABP_DEVADDR, 65_532, Uint8Array.of(0x13), { fOpts: Uint8Array.of(0x06, 200, 0x3d) }), tmst: 2_000_000 }]);
  const status = await events.next('/event/status');
  t.like(status.body, { deviceInfo: { devEui: ABP.devEui }, margin: -3, externalPowerSource: false, batteryLevelUnavailable: false, batteryLevel: 78.7 });
});

test('a command/down for an unknown device, a wrong application or a bad body is ignored and reported', async (t) => {
  const problems: string[] = [];
  const sim = await startTestNs(t, { onProblem: (message) => problems.push(message) });
  const events = await EventCollector.connect(t, sim.mqttUrl);
  const down = (app: string, devEui: string, body: unknown) => events.client.publishAsync(`application/${app}/device/${devEui}/command/down`, JSON.stringify(body), { qos: 1 });
  const other = '11111111-2222-4333-8444-555555555555';
  await down(CITY_APP_ID, '0000000000000000', { devEui: '0000000000000000', fPort: 1, data: 'AA==' });
  await down(CITY_APP_ID, ABP.devEui, { devEui: ABP.devEui, fPort: 0, data: 'AA==' });
  await down(other, ABP.devEui, { devEui: ABP.devEui, fPort: 3, data: 'AA==' });
  await down(CITY_APP_ID, ABP.devEui, { devEui: ABP.devEui, fPort: 3, data: 'not base64!' });
  await down('city', ABP.devEui, { devEui: ABP.devEui, fPort: 3, data: 'AA==' });
  await down(CITY_APP_ID, ABP.devEui, { fPort: 3, data: 'AA==' });
  await down(CITY_APP_ID, ABP.devEui, { devEui: ABP.devEui, fPort: 3, data: 'AA==', id: 'set-period' });
  await until(() => problems.length === 7);
  t.regex(problems[0], /no device with DevEUI 0000000000000000/);
  t.regex(problems[1], /fPort must be 1–223 for a data downlink/);
  t.regex(problems[2], /Application ID from topic does not match application ID from device/);
  t.regex(problems[3], /data must be a base64 string/);
  t.regex(problems[4], /"city" in .* is not an application ID: ChirpStack v4 topics carry the application's UUID/);
  t.regex(problems[5], /Payload dev_eui "" does not match topic dev_eui/);
  t.regex(problems[6], /id "set-period" is not a UUID/);
  t.is(sim.mqtt.downlinksQueued, 0);
  t.is(sim.ns.registry.byDevEui(ABP.devEui)?.queue.appLength, 0);
});
