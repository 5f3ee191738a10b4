/**
 * The class A MAC end to end in virtual time: a device radio and the test
 * network's gateway on a simulated channel (drivers/lorawan/mac/test-support.ts).
 */
import { test } from '../../../test/kit/core-test.js';
import { bytesEqual } from '../../bytes.js';
import { LoraWanUplink } from './uplink.js';
import { ABP_DEVADDR, createBench } from './test-support.js';
import { CID, encodeDownlinkCommand } from './mac-commands.js';
import { FPORT } from './fport.js';
import { JOIN_ACCEPT_DELAY1_MS } from './rx-windows.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

test('OTAA: join, then data frames the network decrypts, FCnt 0, 1, 2', async (t) => {
  const { clock, mac, network, channel } = createBench();
  t.false(mac.joined);
  await clock.run(mac.join());
  t.true(mac.joined);
  t.is(mac.devAddr, 0x26000042);
  t.is(network.joinRequests.length, 1);
  t.is(network.joinRequests[0].devNonce, 0);
  // The join accept came in RX1, five seconds after the request ended.
  const [request, accept] = channel.log;
  t.is(accept.startMs, request.endMs + JOIN_ACCEPT_DELAY1_MS);
  for (let i = 0; i < 3; i++) await clock.run(mac.sendFrame({ port: FPORT.data, payload: bytes(i, 2, 3), confirmed: false }));
  const ups = network.uplinksOf(0x26000042);
  t.deepEqual(ups.map((u) => u.fCnt), [0, 1, 2]);
  t.true(bytesEqual(ups[2].payload, bytes(2, 2, 3)));
  t.is(ups[0].fPort, FPORT.data);
  t.deepEqual(network.problems, []);
  t.is(mac.counters.uplinks, 3);
});

test('OTAA: join retries step the data rate down and never reuse a DevNonce', async (t) => {
  const { clock, mac, network, channel } = createBench();
  network.acceptJoins = false;
  const joining = mac.join();
  await clock.advance(10 * 60_000);
  t.true(network.joinRequests.length >= 4, `${network.joinRequests.length} requests in 10 min`);
  network.acceptJoins = true;
  await clock.run(joining);
  const nonces = network.joinRequests.map((r) => r.devNonce);
  t.deepEqual(nonces, nonces.map((_, i) => i));
  const sfs = channel.log.filter((x) => x.plane === 'uplink').map((x) => x.sf);
  t.deepEqual(sfs.slice(0, 4), [7, 7, 8, 8], 'EU868 joins: DR5 twice, then DR4 twice, …');
  t.deepEqual(network.problems, []);
});

test('ABP: frames carry the provisioned DevAddr and verify with its keys', async (t) => {
  const { clock, mac, network } = createBench({ activation: 'abp' });
  t.true(mac.joined);
  const result = await clock.run(mac.sendFrame({ port: FPORT.status, payload: bytes(0xaa), confirmed: false }));
  t.is(result.fCnt, 0);
  t.is(result.transmissions, 1);
  const [up] = network.uplinksOf(ABP_DEVADDR);
  t.true(bytesEqual(up.payload, bytes(0xaa)));
  t.true(up.adr);
  t.deepEqual(network.problems, []);
});

test('alerts go confirmed and are retransmitted with jittered back-off until the ACK (network drops the first 2 ACKs)', async (t) => {
  // DR5 (SF7): 1 % duty cycle costs only ~5 s per frame, so the back-off shows.
  const gapsBySeed: number[][] = [];
  for (const seed of [7, 8, 9, 10, 11]) {
    const { clock, mac, network } = createBench({ activation: 'abp', seed, mac: { dataRate: 5 } });
    network.dropAcks = 2;
    const uplink = new LoraWanUplink(mac);
    await clock.run(uplink.send({ port: FPORT.alert, payload: bytes(1, 2, 3, 4), priority: 'alert' }));
    const ups = network.uplinksOf(ABP_DEVADDR);
    t.is(ups.length, 3);
    t.true(ups.every((u) => u.confirmed && u.fCnt === 0), 'retransmissions repeat the FCnt');
    t.is(mac.counters.retransmissions, 2);
    const gaps = [ups[1].atMs - ups[0].atMs, ups[2].atMs - ups[1].atMs];
    // RX2 closes 2 s after the frame, ACK_TIMEOUT is 2 s more, then a random part of a window that doubles (2 s, 4 s);
    // the 1 % duty cycle of a ~50 ms frame adds up to ~5 s.
    t.true(gaps[0] >= 4000 && gaps[0] <= 4000 + 2000 + 5000, `first retry after ACK_TIMEOUT + jitter (${gaps[0]} ms)`);
    t.true(gaps[1] >= 4000 && gaps[1] <= 4000 + 4000 + 5000, `second within a doubled window (${gaps[1]} ms)`);
    gapsBySeed.push(gaps);
  }
  // Devices that lost their ACKs together (a storm) must not come back together: full jitter spreads them.
  const seconds = gapsBySeed.map((g) => g[0] + g[1]);
  t.true(Math.max(...seconds) - Math.min(...seconds) > 1500, `retries spread over the window across devices (${seconds.map((s) => (s / 1000).toFixed(1)).join(', ')} s)`);
});

test('an alert never acknowledged rejects send() with LORAWAN_NO_ACK (the store keeps it)', async (t) => {
  const { clock, mac, network } = createBench({ activation: 'abp', mac: { confirmedAttempts: 4 } });
  network.dropAcks = 100;
  const uplink = new LoraWanUplink(mac);
  await t.throwsAsync(clock.run(uplink.send({ port: FPORT.alert, payload: bytes(9), priority: 'alert' })), { code: 'LORAWAN_NO_ACK' });
  t.is(network.uplinksOf(ABP_DEVADDR).length, 4);
  t.is(mac.counters.confirmedFailed, 1);
  // The MAC goes on: once the network answers again, the next frame takes a new counter.
  network.dropAcks = 0;
  await clock.run(uplink.send({ port: FPORT.data, payload: bytes(1), priority: 'data' }));
  t.is(network.uplinksOf(ABP_DEVADDR).at(-1)?.fCnt, 1);
});

test('data frames go unconfirmed by default (the platform acknowledges them); delivery "network" confirms every frame', async (t) => {
  const byDefault = createBench({ activation: 'abp', mac: { confirmedAttempts: 2 } });
  byDefault.network.dropAcks = 100;
  const uplink = new LoraWanUplink(byDefault.mac);
  t.is(uplink.delivery, 'application', 'the gateway keeps data until the application acknowledges it');
  await byDefault.clock.run(uplink.send({ port: FPORT.data, payload: bytes(1), priority: 'data' }));
  t.deepEqual(byDefault.network.uplinksOf(ABP_DEVADDR).map((u) => u.confirmed), [false], 'sent once, unconfirmed, resolved once on the air');
  await t.throwsAsync(byDefault.clock.run(uplink.send({ port: FPORT.alert, payload: bytes(2), priority: 'alert' })), { code: 'LORAWAN_NO_ACK' }, 'alerts stay confirmed');

  const confirmedAll = createBench({ activation: 'abp', mac: { confirmedAttempts: 2 } });
  confirmedAll.network.dropAcks = 100;
  const strict = new LoraWanUplink(confirmedAll.mac, { delivery: 'network' });
  t.is(strict.delivery, 'transport');
  await t.throwsAsync(confirmedAll.clock.run(strict.send({ port: FPORT.data, payload: bytes(1), priority: 'data' })), { code: 'LORAWAN_NO_ACK' });
  t.true(confirmedAll.network.uplinksOf(ABP_DEVADDR).every((u) => u.confirmed));
});

test('alerts jump the queue ahead of waiting data', async (t) => {
  const { clock, mac, network } = createBench({ activation: 'abp' });
  const uplink = new LoraWanUplink(mac);
  const sends = [
    uplink.send({ port: FPORT.data, payload: bytes(1), priority: 'data' }),
    uplink.send({ port: FPORT.data, payload: bytes(2), priority: 'data' }),
    uplink.send({ port: FPORT.alert, payload: bytes(3), priority: 'alert' }),
  ];
  await clock.run(Promise.all(sends));
  t.deepEqual(network.uplinksOf(ABP_DEVADDR).map((u) => u.payload[0]), [1, 3, 2]);
});

test('a valid application downlink reaches onDownlink; the confirmed one is ACKed in the next uplink', async (t) => {
  const { clock, mac, network } = createBench({ activation: 'abp' });
  const uplink = new LoraWanUplink(mac);
  const received: Array<{ port: number; payload: Uint8Array }> = [];
  uplink.onDownlink = (m) => received.push(m);
  network.queue(ABP_DEVADDR, { port: FPORT.config, payload: bytes(0xc0, 0xff, 0xee), confirmed: true });
  await clock.run(uplink.send({ port: FPORT.data, payload: bytes(1), priority: 'data' }));
  t.is(received.length, 1);
  t.is(received[0].port, FPORT.config);
  t.true(bytesEqual(received[0].payload, bytes(0xc0, 0xff, 0xee)));
  t.is(mac.lastFCntDown, 0);
  await clock.run(uplink.send({ port: FPORT.data, payload: bytes(2), priority: 'data' }));
  t.true(network.uplinksOf(ABP_DEVADDR)[1].ack);
});

test('downlinks in RX2 are received too', async (t) => {
  const { clock, mac, network } = createBench({ activation: 'abp' });
  network.answerIn = 2;
  const got: number[] = [];
  mac.onDownlink = (m) => got.push(m.payload[0]);
  network.queue(ABP_DEVADDR, { port: 5, payload: bytes(42) });
  await clock.run(mac.sendFrame({ port: 1, payload: bytes(1), confirmed: false }));
  t.deepEqual(got, [42]);
});

test('replayed, MIC-bad and malformed downlinks are rejected and counted; a foreign DevAddr too', async (t) => {
  const { clock, mac, network } = createBench({ activation: 'abp' });
  const got: number[] = [];
  mac.onDownlink = (m) => got.push(m.payload[0]);
  const send = () => clock.run(mac.sendFrame({ port: 1, payload: bytes(0), confirmed: false }));
  const first = network.encodeDownlink(ABP_DEVADDR, { port: 7, payload: bytes(1) }); // FCnt 0
  network.queueRaw(ABP_DEVADDR, first);
  await send();
  t.deepEqual(got, [1]);
  network.queueRaw(ABP_DEVADDR, first); // the same frame again: a replay
  await send();
  const older = network.encodeDownlink(ABP_DEVADDR, { port: 7, payload: bytes(2) }, 0); // a new frame with an old counter
  network.queueRaw(ABP_DEVADDR, older);
  await send();
  const bad = network.encodeDownlink(ABP_DEVADDR, { port: 7, payload: bytes(3) });
  bad[bad.length - 1] ^= 0x01;
  network.queueRaw(ABP_DEVADDR, bad);
  await send();
  network.queueRaw(ABP_DEVADDR, bytes(0x60, 0x01, 0x02));
  await send();
  const foreign = network.encodeDownlink(ABP_DEVADDR, { port: 7, payload: bytes(4) });
  foreign[1] ^= 0xff;
  network.queueRaw(ABP_DEVADDR, foreign);
  await send();
  network.queue(ABP_DEVADDR, { port: 7, payload: bytes(5) });
  await send();
  t.deepEqual(got, [1, 5], 'only the valid frames were delivered');
  t.deepEqual(mac.counters.rejected, { malformed: 1, unexpected: 0, foreign: 1, replay: 2, mic: 1 });
  t.is(mac.counters.downlinks, 2);
});

test('LinkCheckReq and DeviceTimeReq are answered; DevStatusReq is answered with battery and SNR margin', async (t) => {
  const { clock, mac, network, radio } = createBench({ activation: 'abp', mac: { battery: () => 200 } });
  network.networkTimeOffsetMs = 1234;
  const events: string[] = [];
  mac.requestLinkCheck();
  mac.requestDeviceTime();
  t.is(mac.maxPayloadBytes(), 51 - 2, 'two 1-byte requests wait for FOpts');
  await clock.run(mac.sendFrame({ port: 1, payload: bytes(1), confirmed: false }));
  const [first] = network.uplinksOf(ABP_DEVADDR);
  t.deepEqual(first.macCommands.map((c) => c.cid), [CID.LinkCheck, CID.DeviceTime]);
  t.truthy(mac.lastLinkCheck);
  t.is(mac.lastLinkCheck?.gatewayCount, 1);
  t.true((mac.lastLinkCheck?.marginDb ?? -1) > 0);
  // The network's clock runs 1234 ms ahead; DeviceTimeAns has 1/256 s resolution.
  t.true(Math.abs((mac.networkTimeOffsetMs ?? 0) - 1234) <= 4, `offset ${mac.networkTimeOffsetMs}`);
  t.true(Math.abs((mac.networkUnixTimeMs() ?? 0) - (clock.unixTimeMs() + 1234)) <= 4);

  network.queue(ABP_DEVADDR, { fOpts: encodeDownlinkCommand({ type: 'DevStatusReq' }) });
  mac.onDownlink = () => events.push('app');
  await clock.run(mac.sendFrame({ port: 1, payload: bytes(2), confirmed: false }));
  await clock.run(mac.sendFrame({ port: 1, payload: bytes(3), confirmed: false }));
  const answer = network.uplinksOf(ABP_DEVADDR)[2].macCommands.find((c) => c.cid === CID.DevStatus);
  t.truthy(answer);
  t.is(answer?.payload[0], 200);
  // Margin: 6-bit signed SNR of the DevStatusReq downlink, as the radio measured it.
  const raw = answer?.payload[1] ?? 0;
  const margin = raw & 0x20 ? raw - 64 : raw;
  t.is(margin, Math.round(radio.packetStatus()?.snrDb ?? NaN));
  t.deepEqual(events, []);
});

test('LinkADRReq changes DR, power, NbTrans and mask; maxPayloadBytes() follows', async (t) => {
  const { clock, mac, network } = createBench({ activation: 'abp' });
  t.is(mac.dataRate, 0);
  t.is(mac.maxPayloadBytes(), 51);
  network.queue(ABP_DEVADDR, { fOpts: encodeDownlinkCommand({ type: 'LinkADRReq', dataRate: 4, txPower: 2, chMask: 0b011, chMaskCntl: 0, nbTrans: 2 }) });
  await clock.run(mac.sendFrame({ port: 1, payload: bytes(1), confirmed: false }));
  t.is(mac.dataRate, 4);
  t.is(mac.txPowerDbm, 12);
  t.is(mac.nbTrans, 2);
  t.deepEqual(mac.channels.enabledChannels().map((c) => c.frequency), [868_100_000, 868_300_000]);
  t.is(mac.maxPayloadBytes(), 242 - 2, 'LinkADRAns (2 bytes) waits in FOpts');
  await clock.run(mac.sendFrame({ port: 1, payload: bytes(2), confirmed: false }));
  const ups = network.uplinksOf(ABP_DEVADDR);
  t.is(ups.length, 3, 'NbTrans 2: the second frame went twice');
  t.deepEqual(ups[1].macCommands, [{ cid: CID.LinkADR, payload: bytes(0b111) }]);
  t.true(ups.slice(1).every((u) => u.dataRate === 4 && u.freqHz !== 868_500_000));
  t.is(mac.maxPayloadBytes(), 242);
  // A request the device cannot follow is refused as a whole.
  network.queue(ABP_DEVADDR, { fOpts: encodeDownlinkCommand({ type: 'LinkADRReq', dataRate: 5, txPower: 9, chMask: 0b1000, chMaskCntl: 0, nbTrans: 1 }) });
  await clock.run(mac.sendFrame({ port: 1, payload: bytes(3), confirmed: false }));
  t.is(mac.dataRate, 4);
  await clock.run(mac.sendFrame({ port: 1, payload: bytes(4), confirmed: false }));
  // Power and mask refused, DR5 itself acceptable: the device reports exactly that and changes nothing.
  t.deepEqual(network.uplinksOf(ABP_DEVADDR).at(-1)?.macCommands, [{ cid: CID.LinkADR, payload: bytes(0b010) }]);
});

test('RXParamSetupReq, RXTimingSetupReq and DutyCycleReq are applied and answered (sticky answers until a downlink)', async (t) => {
  const { clock, mac, network, channel } = createBench({ activation: 'abp' });
  const fOpts = Uint8Array.from([
    ...encodeDownlinkCommand({ type: 'RXTimingSetupReq', delayS: 2 }),
    ...encodeDownlinkCommand({ type: 'DutyCycleReq', maxDCycle: 7 }),
    ...encodeDownlinkCommand({ type: 'RXParamSetupReq', rx1DrOffset: 1, rx2DataRate: 3, frequency: 869_525_000 }),
  ]);
  network.queue(ABP_DEVADDR, { fOpts });
  await clock.run(mac.sendFrame({ port: 1, payload: bytes(1), confirmed: false }));
  await clock.run(mac.sendFrame({ port: 1, payload: bytes(2), confirmed: false }));
  await clock.run(mac.sendFrame({ port: 1, payload: bytes(3), confirmed: false }));
  const ups = network.uplinksOf(ABP_DEVADDR);
  const cids = (i: number) => ups[i].macCommands.map((c) => c.cid);
  t.deepEqual(cids(1), [CID.RXTimingSetup, CID.RXParamSetup, CID.DutyCycle]);
  t.deepEqual(ups[1].macCommands[1].payload, bytes(0b111));
  t.deepEqual(cids(2), [CID.RXTimingSetup, CID.RXParamSetup], 'sticky answers repeat while no downlink came');
  // The new RX settings are in use: RX1 delay 2 s, RX1 offset 1, RX2 at DR3.
  network.answerIn = 2;
  network.queue(ABP_DEVADDR, { port: 3, payload: bytes(7) });
  const got: number[] = [];
  mac.onDownlink = (m) => got.push(m.payload[0]);
  await clock.run(mac.sendFrame({ port: 1, payload: bytes(4), confirmed: false }));
  t.deepEqual(got, [], 'a downlink on the old RX2 settings is not heard');
  // With a 1/128 aggregated duty cycle, frames are spaced by at least 127 × their airtime.
  const airtimes = channel.transmissionsOf('device').map((x) => x.airtimeMs);
  t.true(ups[2].atMs - ups[1].atMs >= 127 * airtimes[1], `spacing ${ups[2].atMs - ups[1].atMs} ms, airtime ${airtimes[1]} ms`);
  t.is(mac.airtimeSince('aggregate', 0), airtimes[1] + airtimes[2] + airtimes[3], 'frames after the DutyCycleReq count against the aggregate limit');
});

test('FPending makes the device open new windows at once with an empty uplink', async (t) => {
  const { clock, mac, network } = createBench({ activation: 'abp' });
  const got: number[] = [];
  mac.onDownlink = (m) => got.push(m.payload[0]);
  network.queue(ABP_DEVADDR, { port: 9, payload: bytes(1), fPending: true });
  network.queue(ABP_DEVADDR, { port: 9, payload: bytes(2) });
  await clock.run(mac.sendFrame({ port: 1, payload: bytes(1), confirmed: false }));
  await clock.runUntilIdle(10 * 60_000);
  t.deepEqual(got, [1, 2]);
  const ups = network.uplinksOf(ABP_DEVADDR);
  t.is(ups.length, 2);
  t.is(ups[1].fPort, undefined, 'the follow-up frame carries no FPort');
});

test('payloads larger than the data rate allows are refused; ports outside 1–223 too', async (t) => {
  const { clock, mac } = createBench({ activation: 'abp' });
  await t.throwsAsync(clock.run(mac.sendFrame({ port: 1, payload: new Uint8Array(52), confirmed: false })), { code: 'LORAWAN_PAYLOAD_TOO_LARGE' });
  await t.throwsAsync(clock.run(mac.sendFrame({ port: 224, payload: bytes(1), confirmed: false })), { code: 'LORAWAN_CONFIG' });
  t.is(mac.nextFCntUp, 0, 'refused frames use no counter');
});
