/**
 * The reference ack service over MQTT against `axon ns sim`'s own stack
 * (Semtech UDP in, ChirpStack v4 MQTT out, command/down back in): a
 * sequenced frame asking for an acknowledgement makes the service publish a
 * data-ack, which the network server sends in the device's next receive
 * window (opened with OUR decoder); a resend is reported as a duplicate and
 * acknowledged again. Also the runner's --help.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { encodeBatchFrame } from '../../drivers/batch/batch-frame.js';
import { encodeSequenced } from '../../drivers/batch/sequenced.js';
import { openDataFrame } from '../../drivers/lorawan/data-frame.js';
import { decodeDownlink } from '../../drivers/gateway/downlink.js';
import { ABP_DEVADDR, ABP_KEYS, cipher, CITY_APP_ID, dataUp, exampleTable, startTestNs, TestForwarder, until } from '../lorawan-ns/test-support.js';
import { MqttAckService } from './mqtt-service.js';

function sequencedFrame(seq: number, ackRequested: boolean): Uint8Array {
  const batch = encodeBatchFrame({ baseS: 1_784_102_400 + seq * 300, stepS: 10, times: [0], blocks: [{ channel: 0, at: [0], values: [123 + seq] }] });
  return encodeSequenced({ seq, ackRequested, inner: batch });
}

test('the MQTT ack service answers a sequenced frame with a data-ack that rides the next receive window', async (t) => {
  const sim = await startTestNs(t);
  const frames: Array<{ seq: number; duplicate: boolean; reason?: string }> = [];
  const service = await MqttAckService.connect({ url: sim.mqttUrl, application: CITY_APP_ID, onFrame: (f) => frames.push(f) });
  t.teardown(() => service.close());
  const gw = await TestForwarder.start(t, sim.udp.port);
  await gw.pull();

  // seq 7 and 8; 8 asks. The service's data-ack reaches the server after this uplink's windows were planned: it goes with the next.
  await gw.push([{ phy: dataUp(ABP_KEYS, ABP_DEVADDR, 65_531, sequencedFrame(7, false)), tmst: 1_000_000 }]);
  await gw.push([{ phy: dataUp(ABP_KEYS, ABP_DEVADDR, 65_532, sequencedFrame(8, true)), tmst: 2_000_000 }]);
  await until(() => sim.mqtt.downlinksQueued === 1, 5000);
  t.deepEqual(frames.map((f) => [f.seq, f.duplicate, f.reason]), [[7, false, undefined], [8, false, 'requested']]);

  await gw.push([{ phy: dataUp(ABP_KEYS, ABP_DEVADDR, 65_533, sequencedFrame(9, false)), tmst: 3_000_000 }]);
  const down = openDataFrame(cipher, (await gw.nextPullResp(0)).phy, ABP_KEYS);
  t.is(down.fPort, 10, 'on the gateway\'s configuration port');
  t.false(down.mType === 'confirmed-data-down', 'unconfirmed: it costs the network one downlink and nothing after');
  t.deepEqual(decodeDownlink(down.payload, exampleTable()), { kind: 'data-ack', base: 7, seqs: [7, 8] }, 'both frames acknowledged, by the gateway\'s own decoder');

  // The gateway missed that data-ack and resends 8, asking again: a duplicate, acknowledged again.
  await gw.push([{ phy: dataUp(ABP_KEYS, ABP_DEVADDR, 65_534, sequencedFrame(8, true)), tmst: 4_000_000 }]);
  await until(() => sim.mqtt.downlinksQueued === 2, 5000);
  t.like(frames.at(-1), { seq: 8, duplicate: true, reason: 'duplicate' });
  t.is(service.policy.stats.duplicates, 1);
});

test('run-ack-service --help and a missing --mqtt', async (t) => {
  const run = promisify(execFile);
  const help = await run(process.execPath, ['--import', 'tsx', 'simulators/ack-service/run-ack-service.ts', '--help']);
  for (const flag of ['--mqtt', '--app', '--every-frames', '--every-minutes']) t.true(help.stdout.includes(flag), flag);
  const error = await t.throwsAsync(run(process.execPath, ['--import', 'tsx', 'simulators/ack-service/run-ack-service.ts']));
  t.regex(String((error as { stderr?: string }).stderr), /--mqtt is required/);
});
