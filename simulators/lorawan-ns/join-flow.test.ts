/**
 * OTAA end to end over Semtech UDP: OUR join request → the simulator's join
 * accept (checked by lora-packet) 5 s later on the concentrator counter →
 * OUR decodeJoinAccept and deriveSessionKeys must give the keys the network
 * server uses (lora-packet's derivation) → data frames under them are
 * accepted and decoded. DevNonce replays and wrong AppKeys are refused.
 */
import test from 'ava';
import { fromHex, toHex } from '../../drivers/bytes.js';
import { openDataFrame } from '../../drivers/lorawan/data-frame.js';
import { decodeJoinAccept, encodeJoinRequest } from '../../drivers/lorawan/join.js';
import { deriveSessionKeys } from '../../drivers/lorawan/keys.js';
import { cipher, CITY_APP_ID, dataUp, EventCollector, examplePayloads, exampleTable, OTAA, startTestNs, TestForwarder } from './test-support.js';

const appKey = fromHex(OTAA.appKey);
const joinRequest = (devNonce: number, key = appKey) => encodeJoinRequest(cipher, { joinEui: fromHex(OTAA.joinEui), devEui: fromHex(OTAA.devEui), devNonce }, key);

test('join request → join accept in RX1 → our session keys match the network server\'s → data accepted', async (t) => {
  const table = exampleTable();
  const { batch } = examplePayloads(table);
  const sim = await startTestNs(t, { table });
  const events = await EventCollector.connect(t, sim.mqttUrl);
  const gw = await TestForwarder.start(t, sim.udp.port);
  await gw.pull();

  await gw.push([{ phy: joinRequest(0x0101), tmst: 3_000_000 }]);
  const resp = await gw.nextPullResp(0);
  t.is(resp.txpk.tmst, 8_000_000, 'JOIN_ACCEPT_DELAY1 = 5 s');
  t.like(resp.txpk, { freq: 868.1, datr: 'SF7BW125' });
  const accept = decodeJoinAccept(cipher, resp.phy, appKey);
  t.is(accept.netId, 0x13);
  t.is(accept.devAddr >>> 25, 0x13, 'DevAddr carries the NwkID of NetID 000013');
  t.is(accept.rx1DelayS, 1);
  const keys = deriveSessionKeys(cipher, appKey, { joinNonce: accept.joinNonce, netId: accept.netId, devNonce: 0x0101 });
  const session = sim.ns.registry.byDevEui(OTAA.devEui)?.session;
  t.is(toHex(keys.nwkSKey), toHex(session?.keys.nwkSKey ?? new Uint8Array()));
  t.is(toHex(keys.appSKey), toHex(session?.keys.appSKey ?? new Uint8Array()));
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.false(events.messages.some((m) => m.topic.endsWith('/event/join')), 'ChirpStack v4 reports a join with the first uplink, not at the accept');

  await gw.push([{ phy: dataUp(keys, accept.devAddr, 0, batch), tmst: 20_000_000 }, { phy: dataUp(keys, accept.devAddr, 1, batch, { confirmed: true }), tmst: 30_000_000 }]);
  const join = await events.next('/event/join');
  t.is(join.topic, `application/${CITY_APP_ID}/device/${OTAA.devEui}/event/join`);
  t.is(join.body.devAddr, accept.devAddr.toString(16).padStart(8, '0'));
  const firstUp = await events.next('/event/up', (b) => b.fCnt === 0);
  t.is(join.body.deduplicationId, firstUp.body.deduplicationId, 'the join and the first uplink are one reception');
  t.true(events.messages.findIndex((m) => m.topic.endsWith('/event/join')) < events.messages.indexOf(firstUp), 'join before up');
  const up = await events.next('/event/up', (b) => b.fCnt === 1);
  t.like(up.body, { deviceInfo: { devEui: OTAA.devEui }, confirmed: true, object: { type: 'batch' } });
  t.is(events.messages.filter((m) => m.topic.endsWith('/event/join')).length, 1, 'one join per session');
  const ack = await gw.nextPullResp(1);
  t.is(ack.txpk.tmst, 31_000_000);
  t.true(openDataFrame(cipher, ack.phy, keys).fCtrl.ack, 'our decoder opens the ACK with our derived keys');
  t.is(sim.ns.stats.joinsAccepted, 1);
  t.is(sim.ns.stats.uplinksAccepted, 2);
});

test('a replayed DevNonce and a wrong AppKey are refused; a re-join gives new keys and retires the old ones', async (t) => {
  const sim = await startTestNs(t);
  const events = await EventCollector.connect(t, sim.mqttUrl);
  const gw = await TestForwarder.start(t, sim.udp.port);
  await gw.pull();

  await gw.push([{ phy: joinRequest(7), tmst: 1_000_000 }]);
  const first = decodeJoinAccept(cipher, (await gw.nextPullResp(0)).phy, appKey);
  const oldKeys = deriveSessionKeys(cipher, appKey, { joinNonce: first.joinNonce, netId: first.netId, devNonce: 7 });

  await gw.push([{ phy: joinRequest(7), tmst: 2_000_000 }, { phy: joinRequest(8, fromHex('00112233445566778899aabbccddeeff')), tmst: 3_000_000 }]);
  await gw.waitFor(() => sim.ns.stats.received === 3);
  t.is(sim.ns.stats.rejected['devnonce-replay'], 1);
  t.is(sim.ns.stats.rejected.mic, 1);
  const replay = await events.next('/event/log', (b) => b.code === 'OTAA');
  t.like(replay.body, { level: 'WARNING', context: { axon_code: 'JOIN_DEVNONCE' } });
  t.is(gw.pullResps.length, 1, 'no join accept for either');

  await gw.push([{ phy: joinRequest(8), tmst: 4_000_000 }]);
  const second = decodeJoinAccept(cipher, (await gw.nextPullResp(1)).phy, appKey);
  t.is(second.joinNonce, first.joinNonce + 1);
  t.is(second.devAddr, first.devAddr, 'a re-joining device keeps its address');
  const newKeys = deriveSessionKeys(cipher, appKey, { joinNonce: second.joinNonce, netId: second.netId, devNonce: 8 });
  t.not(toHex(newKeys.nwkSKey), toHex(oldKeys.nwkSKey));

  await gw.push([{ phy: dataUp(oldKeys, first.devAddr, 0, Uint8Array.of(0x13)), tmst: 5_000_000 }, { phy: dataUp(newKeys, second.devAddr, 0, Uint8Array.of(0x13)), tmst: 6_000_000 }]);
  await gw.waitFor(() => sim.ns.stats.received === 6);
  t.is(sim.ns.stats.rejected.mic, 2, 'the old session is gone');
  t.is(sim.ns.stats.uplinksAccepted, 1);
});
