/**
 * The RUI3 driver against the simulated RAK3172 (simulators/rui3): two
 * implementations of the AT set on either side of a serial line (in memory,
 * at 115200 baud wire time), the module's MAC ours on the simulated LoRa
 * channel, the MAC's test network server and the reference ack service on
 * the other side, all in virtual time. Node and XS run the same scenarios.
 */
import { test } from '../../test/kit/core-test.js';
import { toHex } from '../bytes.js';
import { MINUTE } from '../gateway/test-support.js';
import { RUI3_DIALECT } from './dialect.js';
import { parseRui3Event } from './events.js';
import { gatewayOverRui3, KEYS, OTAA_DEVADDR, rig } from './test-support.js';
import { Rui3Uplink } from './uplink.js';
import { createBench } from '../lorawan/mac/test-support.js';
import { createStreamPair } from '../ports/memory-stream.js';
import { PortableAes128 } from '../crypto/aes128.js';
import { Rui3ModuleSimulator } from '../../simulators/rui3/module-sim.js';

test('RUI3 dialect: value lines, status codes and +EVT lines', (t) => {
  t.is(RUI3_DIALECT.derivePrefix('AT+DR=?'), 'AT+DR');
  t.is(RUI3_DIALECT.replyBody('AT+DR=3', 'AT+DR'), '3');
  t.is(RUI3_DIALECT.replyBody('AT+DRX=3', 'AT+DR'), undefined);
  t.true(RUI3_DIALECT.isEcho('AT+DR=?', 'AT+DR=?'));
  t.false(RUI3_DIALECT.isEcho('AT+DR=3', 'AT+DR=?'), 'a value line is not an echo');
  t.is(RUI3_DIALECT.finalResult('OK', 'AT'), 'OK');
  const busy = RUI3_DIALECT.finalResult('AT_BUSY_ERROR', 'AT+SEND=2:AA');
  t.is((busy as { code?: string }).code, 'RUI3_BUSY');
  t.is((RUI3_DIALECT.finalResult('AT_NO_NETWORK_JOINED', 'AT+SEND=2:AA') as { code?: string }).code, 'RUI3_NOT_JOINED');
  t.is((RUI3_DIALECT.finalResult('AT_PARAM_ERROR', 'AT+APPKEY=00112233445566778899AABBCCDDEEFF') as Error).message.includes('AABB'), false, 'an AppKey never reaches the message');
  const rx = parseRui3Event(RUI3_DIALECT.parseUrc('+EVT:RX_1:-70:8:UNICAST:2:0A0B') ?? { name: '', args: [], line: '' });
  t.deepEqual(rx.type === 'rx' ? [rx.window, rx.rssiDbm, rx.snrDb, rx.port, toHex(rx.payload)] : [], ['1', -70, 8, 2, '0a0b']);
  const failed = parseRui3Event(RUI3_DIALECT.parseUrc('+EVT:SEND_CONFIRMED_FAILED(4)') ?? { name: '', args: [], line: '' });
  t.deepEqual(failed, { type: 'send-confirmed-failed', status: 4 });
  t.is(parseRui3Event(RUI3_DIALECT.parseUrc('+EVT:JOIN_FAILED_RX_TIMEOUT') ?? { name: '', args: [], line: '' }).type, 'join-failed');
  t.is(parseRui3Event(RUI3_DIALECT.parseUrc('+EVT:RX_1:-70:8:UNICAST:2:0A0') ?? { name: '', args: [], line: '' }).type, 'other', 'an odd hex payload is not a downlink');
  t.is(RUI3_DIALECT.parseUrc('AT+DR=3'), undefined);
});

test('configure and join over AT: band, class A, keys, ADR; the network server accepts the join', async (t) => {
  const { lora, module, uplink, states } = rig();
  uplink.start();
  await lora.clock.advance(30_000);
  t.is(uplink.state, 'joined');
  t.deepEqual(states, ['configuring', 'joining', 'joined']);
  t.deepEqual(module.received.slice(0, 10), ['AT', 'AT+NWM=?', 'AT+NJM=1', 'AT+CLASS=A', 'AT+BAND=4', `AT+DEVEUI=${KEYS.devEui.toUpperCase()}`, `AT+APPEUI=${KEYS.joinEui.toUpperCase()}`, `AT+APPKEY=${KEYS.appKey.toUpperCase()}`, 'AT+ADR=1', 'AT+JOIN=1:0:10:3']);
  t.true(lora.network.joinRequests.some((j) => j.accepted), 'the network accepted a join request');
  t.is(module.mac?.devAddr, OTAA_DEVADDR);
  t.is(uplink.dataRate, module.mac?.dataRate, 'the driver read the data rate back (AT+DR=?)');
  t.is(uplink.maxPayloadBytes(), lora.region.maxPayload(uplink.dataRate));
});

test('a module that misses the first commands (its port opened late, still booting) is configured once it answers, without a join back-off', async (t) => {
  const lora = createBench({ region: 'EU868' });
  const [host, moduleEnd] = createStreamPair({ clock: lora.clock });
  const uplink = new Rui3Uplink({ stream: host, clock: lora.clock, region: 'EU868', credentials: KEYS });
  uplink.start();
  await lora.clock.advance(2500);
  t.is(uplink.state, 'configuring', 'still asking');
  const module = new Rui3ModuleSimulator({ stream: moduleEnd, clock: lora.clock, radio: lora.radio, cipher: new PortableAes128(), store: lora.store });
  await lora.clock.advance(30_000);
  t.is(uplink.state, 'joined');
  t.is(module.received[0], 'AT');
  t.true(uplink.engine.stats.timeouts >= 2, `the unanswered ATs timed out (${uplink.engine.stats.timeouts})`);
});

test('alerts go confirmed and resolve on SEND_CONFIRMED_OK, data unconfirmed on TX_DONE; downlinks arrive', async (t) => {
  const { lora, module, uplink } = rig();
  const downlinks: string[] = [];
  uplink.onDownlink = (d) => downlinks.push(`${d.port}:${toHex(d.payload)}`);
  const outcomes: string[] = [];
  uplink.send({ port: 9, payload: Uint8Array.of(1, 2, 3), priority: 'data' }).then(() => outcomes.push('data'), (e: Error) => outcomes.push(e.message));
  uplink.send({ port: 10, payload: Uint8Array.of(0xaa), priority: 'alert' }).then(() => outcomes.push('alert'), (e: Error) => outcomes.push(e.message));
  await lora.clock.advance(10 * MINUTE);
  t.deepEqual(outcomes, ['data', 'alert'], 'both resolved, in order (the data frame was already on its way)');
  const heard = lora.network.uplinksOf(OTAA_DEVADDR).filter((u) => u.fPort !== undefined && u.fPort > 0);
  t.deepEqual(heard.map((u) => [u.fPort, toHex(u.payload), u.confirmed]), [[9, '010203', false], [10, 'aa', true]]);
  t.true(module.received.includes('AT+CFM=1') && module.received.includes('AT+SEND=10:AA'));
  lora.network.queue(OTAA_DEVADDR, { port: 5, payload: Uint8Array.of(0xde, 0xad) });
  await lora.clock.run(uplink.send({ port: 9, payload: Uint8Array.of(4), priority: 'data' }));
  await lora.clock.advance(10_000);
  t.deepEqual(downlinks, ['5:dead'], 'the downlink came up as +EVT:RX_1 and went to onDownlink');
  t.is(uplink.stats.downlinks, 1);
});

test('a confirmed frame the network never acknowledges rejects (RUI3_SEND_FAILED) after the module\'s retries; the next one goes', async (t) => {
  const { lora, module, uplink } = rig();
  uplink.start();
  await lora.clock.advance(30_000);
  lora.network.dropAcks = 100;
  const first = uplink.send({ port: 10, payload: Uint8Array.of(1), priority: 'alert' });
  const outcome = lora.clock.run(first.then(() => 'sent', (e: { code?: string }) => e.code ?? 'error'));
  t.is(await outcome, 'RUI3_SEND_FAILED');
  t.is(module.stats.confirmedFailed, 1);
  t.true(module.mac !== undefined && module.mac.counters.retransmissions >= 1, 'the module retransmitted before giving up');
  lora.network.dropAcks = 0;
  t.is(await lora.clock.run(uplink.send({ port: 10, payload: Uint8Array.of(2), priority: 'alert' }).then(() => 'sent')), 'sent');
});

test('the module loses its session (power cycle): AT_NO_NETWORK_JOINED, the driver joins again and the next send goes', async (t) => {
  const { lora, module, uplink, states } = rig();
  await lora.clock.run(uplink.send({ port: 9, payload: Uint8Array.of(1), priority: 'data' }));
  module.reset();
  const lost = await lora.clock.run(uplink.send({ port: 9, payload: Uint8Array.of(2), priority: 'data' }).then(() => 'sent', (e: { code?: string }) => e.code ?? 'error'));
  t.is(lost, 'RUI3_NOT_JOINED', 'the first send after the reset fails and stays in the log');
  t.is(uplink.state, 'idle');
  await lora.clock.run(uplink.send({ port: 9, payload: Uint8Array.of(3), priority: 'data' }));
  t.is(uplink.stats.joins, 2);
  t.deepEqual(states.filter((s) => s === 'joined').length, 2);
  const payloads = lora.network.uplinksOf(OTAA_DEVADDR).filter((u) => (u.fPort ?? 0) > 0).map((u) => toHex(u.payload));
  t.deepEqual(payloads, ['01', '03']);
});

test('wrong AppKey: the join fails after the module\'s attempts (RUI3_JOIN_FAILED); sends before the back-off ends are refused at once', async (t) => {
  const { lora, module, uplink } = rig({ credentials: { ...KEYS, appKey: '00'.repeat(16) }, joinBackoffMs: 120_000 });
  const first = await lora.clock.run(uplink.send({ port: 9, payload: Uint8Array.of(1), priority: 'data' }).then(() => 'sent', (e: { code?: string }) => e.code ?? 'error'));
  t.is(first, 'RUI3_JOIN_FAILED');
  t.is(module.stats.joinRequests, 3, 'AT+JOIN=1:0:10:3: three join requests');
  t.false(lora.network.joinRequests.some((j) => j.accepted), 'none accepted (the MIC does not match)');
  const refusedAt = lora.clock.now();
  const second = await lora.clock.run(uplink.send({ port: 9, payload: Uint8Array.of(1), priority: 'data' }).then(() => 'sent', (e: { code?: string; message: string }) => `${e.code ?? ''} ${e.message}`));
  t.true(/^RUI3_NOT_JOINED not joined; the next join attempt is in \d+ s/.test(second), second);
  t.is(lora.clock.now(), refusedAt, 'refused without touching the module');
});

// Six hours here keeps this file's XS time short; rui3-day.test.ts runs the day on Node. (Longer runs once stopped XS
// with a stack overflow: the bench's Pipeline.errors() used flatMap over every event; drivers/gateway/otaa-day.core.test.ts.)
test('six simulated hours through the gateway over the RUI3 module: every sample reaches the platform once, alerts confirmed, data released by data-acks', async (t) => {
  await gatewayOverRui3(t, 6, 3);
});
