/**
 * `axon ns sim`'s MQTT events against fixtures written from ChirpStack v4's
 * integration.proto JSON mapping (fixtures/chirpstack-v4): every event a
 * session produces over Semtech UDP and a real broker (join at the first
 * uplink, up with the generated codec's `object`, a `{object}` downlink
 * command encoded by the codec, txack, ack, status, and the UPLINK_CODEC and
 * DOWNLINK_CODEC logs) has exactly the proto's fields, types, enum names and
 * formats.
 */
import test from 'ava';
import { fromHex } from '../../drivers/bytes.js';
import { openDataFrame } from '../../drivers/lorawan/data-frame.js';
import { decodeJoinAccept, encodeJoinRequest } from '../../drivers/lorawan/join.js';
import { deriveSessionKeys } from '../../drivers/lorawan/keys.js';
import { asCodecData } from '../../sdk/codec/codec-data.js';
import { decodeUplink } from '../../sdk/codec/decode-uplink.js';
import { loadFixture, shapeProblems } from './chirpstack-fixtures.js';
import { cipher, CITY_APP_ID, dataUp, examplePayloads, exampleTable, OTAA, startTestBench, until } from './test-support.js';

const QUEUE_ITEM = '0b7d1e52-3c4a-4f0e-9d2b-6a8f1c3e5d70';

test('the fixtures hold their own examples, and the check finds a legacy field, a wrong enum, a missing field and a bad format', (t) => {
  const deviceInfo = loadFixture('device-info').example;
  for (const name of ['up', 'join', 'ack', 'txack', 'status', 'log']) {
    t.deepEqual(shapeProblems(name, { ...loadFixture(name).example, deviceInfo }), [], name);
  }
  const up = { ...loadFixture('up').example, deviceInfo };
  t.deepEqual(shapeProblems('up', { ...up, devEUI: '0004a30b001c0531' }), ['$.devEUI: not a field of integration.UplinkEvent']);
  t.deepEqual(shapeProblems('log', { ...loadFixture('log').example, deviceInfo, code: 'UPLINK_REPLAY' }), ['code: "UPLINK_REPLAY" is not one of UNKNOWN, DOWNLINK_PAYLOAD_SIZE, UPLINK_CODEC, DOWNLINK_CODEC, OTAA, UPLINK_F_CNT_RESET, UPLINK_MIC, UPLINK_F_CNT_RETRANSMISSION, DOWNLINK_GATEWAY, RELAY_NEW_END_DEVICE, F_CNT_DOWN, EXPIRED']);
  const noDedup: Record<string, unknown> = { ...up };
  delete noDedup.deduplicationId;
  t.deepEqual(shapeProblems('up', noDedup), ['deduplicationId: missing']);
  t.deepEqual(shapeProblems('up', { ...up, time: 1784104200000 }), ['time: number, the proto\'s JSON has string']);
  t.deepEqual(shapeProblems('up', { ...up, deviceInfo: { ...deviceInfo, applicationId: 'city' } }), ['deviceInfo.applicationId: "city" is not a uuid']);
});

test('a whole OTAA session over Semtech UDP: every event matches integration.proto\'s JSON; object comes from the codec; {object} downlinks go through encodeDownlink', async (t) => {
  const table = exampleTable();
  const { batch, alert } = examplePayloads(table);
  const { sim, events, gw } = await startTestBench(t, { table });
  const appKey = fromHex(OTAA.appKey);
  const down = (body: unknown) => events.client.publishAsync(`application/${CITY_APP_ID}/device/${OTAA.devEui}/command/down`, JSON.stringify(body), { qos: 1 });

  await gw.push([{ phy: encodeJoinRequest(cipher, { joinEui: fromHex(OTAA.joinEui), devEui: fromHex(OTAA.devEui), devNonce: 0x0202 }, appKey), tmst: 1_000_000 }]);
  const accept = decodeJoinAccept(cipher, (await gw.nextPullResp(0)).phy, appKey);
  const keys = deriveSessionKeys(cipher, appKey, { joinNonce: accept.joinNonce, netId: accept.netId, devNonce: 0x0202 });

  // A data-ack as an object, confirmed, with our queue item ID; a poll period the codec cannot encode (no such device).
  await down({ devEui: OTAA.devEui, confirmed: true, fPort: 1, object: { type: 'data-ack', base: 7, seqs: [7, 8, 10] }, id: QUEUE_ITEM });
  await down({ devEui: OTAA.devEui, object: { type: 'poll-period', device: 'no-such-device', periodS: 60 } });
  await until(() => sim.mqtt.downlinksQueued === 1);
  const codecLog = await events.next('/event/log', (b) => b.code === 'DOWNLINK_CODEC');
  t.like(codecLog.body, { level: 'ERROR', description: 'encodeDownlink returned errors: device no-such-device has no channel in this codec' });
  t.regex((codecLog.body.context as Record<string, string>).queue_item_id, /^[0-9a-f-]{36}$/);

  await gw.push([{ phy: dataUp(keys, accept.devAddr, 0, batch), tmst: 10_000_000 }]);
  const downlink = openDataFrame(cipher, (await gw.nextPullResp(1)).phy, keys);
  t.like(downlink, { mType: 'confirmed-data-down', fPort: 10 });
  t.deepEqual([...downlink.payload], [0x03, 0x00, 0x07, 0xd0], 'the codec\'s encodeDownlink bytes (docs/app-ack.md), on the codec\'s FPort');
  const up = await events.next('/event/up', (b) => b.fCnt === 0);
  t.deepEqual(up.body.object, asCodecData(decodeUplink(batch, table)));
  const join = await events.next('/event/join');
  t.is(join.body.deduplicationId, up.body.deduplicationId);
  const txack = await events.next('/event/txack', (b) => b.queueItemId === QUEUE_ITEM);
  t.like(txack.body, { fCntDown: 0, gatewayId: 'aa555a0000000101' });
  t.true(events.messages.some((m) => m.topic.endsWith('/event/txack') && m.body.queueItemId === ''), 'the join accept\'s txack carries no queue item');

  // The device acknowledges the confirmed downlink on an uplink on a port the site does not use: ack, and an UPLINK_CODEC log.
  sim.ns.requestDeviceStatus(OTAA.devEui);
  await gw.push([{ phy: dataUp(keys, accept.devAddr, 1, alert, { ack: true, fPort: 99 }), tmst: 20_000_000 }]);
  const ack = await events.next('/event/ack');
  t.like(ack.body, { queueItemId: QUEUE_ITEM, acknowledged: true, fCntDown: 0 });
  const wrongPort = await events.next('/event/up', (b) => b.fCnt === 1);
  t.false('object' in wrongPort.body, 'no object when the codec returned errors (as ChirpStack)');
  const uplinkLog = await events.next('/event/log', (b) => b.code === 'UPLINK_CODEC');
  t.like(uplinkLog.body, { level: 'ERROR', context: { deduplication_id: wrongPort.body.deduplicationId } });
  t.regex(String(uplinkLog.body.description), /^decodeUplink returned errors: FPort 99 carries no Axon messages/);
  await gw.nextPullResp(2);
  await gw.push([{ phy: dataUp(keys, accept.devAddr, 2, alert, { fPort: 11, fOpts: Uint8Array.of(0x06, 254, 0x05) }), tmst: 30_000_000 }]);
  await events.next('/event/status');

  const kinds = new Set<string>();
  for (const message of events.messages.filter((m) => m.topic.includes('/event/'))) {
    const kind = message.topic.split('/').at(-1) as string;
    kinds.add(kind);
    t.true(message.topic.startsWith(`application/${CITY_APP_ID}/device/${OTAA.devEui}/event/`), message.topic);
    t.deepEqual(shapeProblems(kind, message.body), [], `${kind}: ${JSON.stringify(message.body)}`);
  }
  t.deepEqual([...kinds].sort(), ['ack', 'join', 'log', 'status', 'txack', 'up']);
});
