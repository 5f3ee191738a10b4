/**
 * End to end through Semtech UDP: a test packet forwarder pushes frames made
 * by OUR encoders (drivers/lorawan), the simulator checks them with
 * lora-packet, decodes the batch payloads with the generated codec and
 * publishes ChirpStack v4's integration JSON to MQTT (aedes); downlinks come
 * back as PULL_RESP that OUR decoder opens.
 */
import test from 'ava';
import { decodeDataFrame, openDataFrame } from '../../drivers/lorawan/data-frame.js';
import { asCodecData } from '../../sdk/codec/codec-data.js';
import { decodeUplink } from '../../sdk/codec/decode-uplink.js';
import { ABP, ABP_DEVADDR, CITY_APP_ID, ABP_KEYS, cipher, dataUp, EventCollector, examplePayloads, exampleTable, startTestBench, startTestNs, TestForwarder, until } from './test-support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('uplinks past FCnt 65,535 are verified, decoded and published; a confirmed one is ACKed in RX1 at the right tmst', async (t) => {
  const table = exampleTable();
  const { batch, alert } = examplePayloads(table);
  const { sim, events, gw } = await startTestBench(t, { table });

  await gw.push([{ phy: dataUp(ABP_KEYS, ABP_DEVADDR, 65_535, batch), tmst: 1_000_000 }]);
  const up = await events.next('/event/up', (b) => b.fCnt === 65_535);
  t.is(up.topic, `application/${CITY_APP_ID}/device/${ABP.devEui}/event/up`);
  t.like(up.body, { deviceInfo: { devEui: ABP.devEui, applicationId: CITY_APP_ID, applicationName: 'city' }, devAddr: ABP.devAddr, fCnt: 65_535, fPort: 10, confirmed: false, data: Buffer.from(batch).toString('base64') });
  t.deepEqual(up.body.object, asCodecData(decodeUplink(batch, table)), 'object is what the generated codec returns, the same as the sdk decoder');
  const object = up.body.object as { type: string; readings: Array<{ device: string; point: string }> };
  t.is(object.type, 'batch');
  t.true(object.readings.some((r) => r.device === 'underpass' && r.point === 'level'));
  t.like((up.body.rxInfo as unknown[])[0], { gatewayId: 'aa555a0000000101', rssi: -57, snr: 9.5, crcStatus: 'CRC_OK', context: Buffer.from([0, 0x0f, 0x42, 0x40]).toString('base64') });
  t.deepEqual(up.body.txInfo, { frequency: 868_100_000, modulation: { lora: { bandwidth: 125_000, spreadingFactor: 7, codeRate: 'CR_4_5' } } });

  // Counter 65,536: the low 16 bits are 0 on the air; near the 2^32 µs wrap of the concentrator counter.
  const tmst = 2 ** 32 - 300_000;
  await gw.push([{ phy: dataUp(ABP_KEYS, ABP_DEVADDR, 65_536, alert, { confirmed: true }), tmst }]);
  const resp = await gw.nextPullResp(0);
  t.is(resp.txpk.tmst, (tmst + 1_000_000) % 2 ** 32, 'RX1 = end of uplink + 1 s on the concentrator counter, wrapped');
  t.like(resp.txpk, { freq: 868.1, datr: 'SF7BW125', ipol: true, imme: false, powe: 16 });
  const ack = openDataFrame(cipher, resp.phy, ABP_KEYS, { lastFCnt: 0 });
  t.like(ack, { mType: 'unconfirmed-data-down', devAddr: ABP_DEVADDR, fCnt: 0, fPort: undefined });
  t.true(ack.fCtrl.ack, 'ACK bit set for the confirmed uplink');

  const alertUp = await events.next('/event/up', (b) => b.fCnt === 65_536);
  t.like(alertUp.body, { confirmed: true, object: { type: 'alert', alert: { rule: 'underpass-ponding', device: 'underpass', point: 'level', level: 'warning', state: 'raised', value: 16 } } });
  const txack = await events.next('/event/txack');
  t.like(txack.body, { queueItemId: '', fCntDown: 0, gatewayId: 'aa555a0000000101', txInfo: { frequency: 868_100_000, timing: { delay: { delay: '1s' } } } });
  t.is(typeof txack.body.downlinkId, 'number');
  t.is(sim.ns.stats.uplinksAccepted, 2);
  t.is(sim.ns.registry.byDevEui(ABP.devEui)?.session?.lastFCntUp, 65_536);
});

test('MIC-bad, replayed and malformed uplinks are rejected, counted, and not published', async (t) => {
  const table = exampleTable();
  const { batch } = examplePayloads(table);
  const sim = await startTestNs(t, { table });
  const events = await EventCollector.connect(t, sim.mqttUrl);
  const gw = await TestForwarder.start(t, sim.udp.port);
  await gw.pull();

  const first = dataUp(ABP_KEYS, ABP_DEVADDR, 65_540, batch);
  const second = dataUp(ABP_KEYS, ABP_DEVADDR, 65_541, batch);
  await gw.push([{ phy: first, tmst: 1 }, { phy: second, tmst: 2 }]);
  await events.next('/event/up', (b) => b.fCnt === 65_541);

  const badMic = second.slice();
  badMic[badMic.length - 1] ^= 0x01;
  const wrongKey = dataUp({ nwkSKey: ABP_KEYS.appSKey, appSKey: ABP_KEYS.appSKey }, ABP_DEVADDR, 65_542, batch);
  await gw.push([{ phy: badMic, tmst: 3 }, { phy: wrongKey, tmst: 4 }]);
  // Past the duplicate window: an older frame again is a replay; the last one's very bytes again are an
  // unconfirmed repetition (NbTrans), dropped as already delivered. Neither is published.
  await sleep(250);
  await gw.push([{ phy: first, tmst: 5 }, { phy: second, tmst: 6 }]);
  await gw.push([
    { phy: Uint8Array.of(0x40, 0x01, 0x02), tmst: 7 }, // too short for a data frame
    { phy: Uint8Array.of(0x41, ...second.subarray(1)), tmst: 8 }, // LoRaWAN major version 1
    { phy: dataUp(ABP_KEYS, 0x11223344, 1, batch), tmst: 9 }, // nobody's DevAddr
    { phy: second, tmst: 10, stat: -1 }, // radio CRC failed: the gateway says so
  ]);
  gw.sendRaw(Uint8Array.of(2, 0, 1)); // not a protocol message at all
  await gw.waitFor(() => sim.ns.stats.received === 9);
  // The stray datagram travels on its own: on a busy machine it may land after the frames.
  await until(() => sim.udp.stats.malformed === 1);
  await sleep(50);

  t.deepEqual(sim.ns.stats.rejected, { outage: 0, malformed: 1, unsupported: 1, 'unknown-device': 1, mic: 2, replay: 1, 'devnonce-replay': 0 });
  t.is(sim.ns.stats.repetitions, 1);
  t.is(sim.ns.stats.uplinksAccepted, 2);
  t.is(sim.udp.stats.crcErrors, 1);
  t.is(sim.udp.stats.malformed, 1);
  t.is(events.messages.filter((m) => m.topic.endsWith('/event/up')).length, 2, 'only the two good frames were published');
  const log = await events.next('/event/log', (b) => b.code === 'UPLINK_F_CNT_RESET');
  t.is(log.topic, `application/${CITY_APP_ID}/device/${ABP.devEui}/event/log`);
  t.like(log.body, { level: 'WARNING', context: { axon_code: 'UPLINK_REPLAY' } });
  await events.next('/event/log', (b) => b.code === 'UPLINK_MIC');
  t.is(sim.ns.registry.byDevEui(ABP.devEui)?.session?.lastFCntUp, 65_541, 'rejected frames do not move the counter');
});

test('a confirmed uplink sent again after a lost ACK is ACKed again but delivered once', async (t) => {
  const table = exampleTable();
  const sim = await startTestNs(t, { table });
  const events = await EventCollector.connect(t, sim.mqttUrl);
  const gw = await TestForwarder.start(t, sim.udp.port);
  await gw.pull();
  const frame = dataUp(ABP_KEYS, ABP_DEVADDR, 65_531, examplePayloads(table).alert, { confirmed: true });
  await gw.push([{ phy: frame, tmst: 10_000_000 }]);
  const first = await gw.nextPullResp(0);
  await sleep(250);
  await gw.push([{ phy: frame, tmst: 20_000_000 }]);
  const again = await gw.nextPullResp(1);
  t.is(again.txpk.tmst, 21_000_000);
  t.true(decodeDataFrame(again.phy).fCtrl.ack);
  t.is(decodeDataFrame(again.phy).fCnt16, decodeDataFrame(first.phy).fCnt16 + 1, 'a new downlink counter for the new ACK');
  t.is(sim.ns.stats.retransmissions, 1);
  await sleep(100);
  t.is(events.messages.filter((m) => m.topic.endsWith('/event/up')).length, 1);
});

test('a TX_ACK refusal in RX1 falls back to RX2 (869.525 MHz, SF12)', async (t) => {
  const sim = await startTestNs(t);
  const events = await EventCollector.connect(t, sim.mqttUrl);
  const gw = await TestForwarder.start(t, sim.udp.port);
  await gw.pull();
  gw.txAckError = 'TOO_LATE';
  await gw.push([{ phy: dataUp(ABP_KEYS, ABP_DEVADDR, 65_531, Uint8Array.of(1), { confirmed: true }), tmst: 5_000_000 }]);
  const rx1 = await gw.nextPullResp(0);
  t.is(rx1.txpk.tmst, 6_000_000);
  gw.txAckError = 'NONE';
  const rx2 = await gw.nextPullResp(1);
  t.like(rx2.txpk, { tmst: 7_000_000, freq: 869.525, datr: 'SF12BW125' });
  t.deepEqual(rx2.phy, rx1.phy, 'the same frame, in the other window');
  const txack = await events.next('/event/txack');
  t.like(txack.body, { txInfo: { frequency: 869_525_000, timing: { delay: { delay: '2s' } }, modulation: { lora: { spreadingFactor: 12 } } } });
});
