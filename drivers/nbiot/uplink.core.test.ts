/** End-to-end flows against the simulated BC95-class modem and an acking server, in virtual time. */
import { test } from '../../test/kit/core-test.js';
import { asciiBytes, asciiText, toHex } from '../bytes.js';
import { nbiotFixture, SERVER_IP, SERVER_PORT } from '../../simulators/nbiot/test-fixture.js';
import type { NbIotError } from './errors.js';

const hello = { payload: asciiBytes('level=12.5'), port: 3, priority: 'data' as const };

test('full flow: attach, send (acked by the server), receive a downlink (acked back)', async (t) => {
  const { clock, sim, server, modem, uplink } = nbiotFixture({ sim: { attachDelayMs: 20_000 } });
  const states: string[] = [];
  modem.onStateChange = (state) => states.push(state);
  await clock.run(modem.start());
  t.is(modem.state, 'ready');
  t.true(clock.now() >= 20_000, 'attach took the simulated registration time');
  t.deepEqual(states, ['starting', 'attaching', 'ready']);
  t.deepEqual(sim.commands.slice(0, 6), ['AT', 'ATE0', 'AT+CMEE=1', 'AT+CFUN=1', 'AT+CEREG=1', 'AT+CGATT=1']);

  await clock.run(uplink.send(hello));
  t.is(server.messages.length, 1);
  t.deepEqual({ ...server.messages[0], payload: asciiText(server.messages[0].payload) }, { seq: 100, port: 3, alert: false, payload: 'level=12.5' });
  t.true(sim.commands.includes('AT+NSOCR=DGRAM,17,0,1'));
  t.true(sim.commands.some((c) => c.startsWith(`AT+NSOST=0,${SERVER_IP},${SERVER_PORT},15,A10100640`)));

  const downlinks: Array<{ port: number; payload: string }> = [];
  uplink.onDownlink = (d) => downlinks.push({ port: d.port, payload: asciiText(d.payload) });
  t.true(server.sendDownlink(7, 9, asciiBytes('interval=60')));
  await clock.advance(5000);
  t.deepEqual(downlinks, [{ port: 9, payload: 'interval=60' }]);
  t.deepEqual(server.downlinkAcks, [7]);
  t.true(sim.commands.includes('AT+NSORF=0,512'));

  // The same downlink again (our ack was "lost"): acked again, delivered once.
  server.sendDownlink(7, 9, asciiBytes('interval=60'));
  await clock.advance(5000);
  t.is(downlinks.length, 1);
  t.deepEqual(server.downlinkAcks, [7, 7]);
  t.is(uplink.stats.duplicateDownlinks, 1);
  t.is(uplink.maxPayloadBytes(), 507);
});

test('slow attach (60 s) within the deadline succeeds', async (t) => {
  const { clock, modem, uplink, server } = nbiotFixture({ sim: { attachDelayMs: 60_000 }, modem: { attachDeadlineMs: 120_000 } });
  await clock.run(uplink.send(hello));
  t.is(server.messages.length, 1);
  t.true(clock.now() >= 60_000 && clock.now() < 70_000, `attached at ${clock.now()} ms`);
  t.is(modem.state, 'ready');
});

test('slow attach beyond the deadline fails with NBIOT_NOT_ATTACHED naming the registration state', async (t) => {
  const { clock, modem } = nbiotFixture({ sim: { attachDelayMs: 90_000 }, modem: { attachDeadlineMs: 45_000 } });
  const error = (await t.throwsAsync(clock.run(modem.start()), { code: 'NBIOT_NOT_ATTACHED' })) as NbIotError;
  t.true(/within 45000 ms/.test(error.message), error.message);
  t.true(/registration status 2: not registered, searching/.test(error.message), error.message);
  t.true(/antenna/.test(error.fix ?? ''));
  t.true(clock.now() <= 45_000 + 3000, `gave up at ${clock.now()} ms`);
  t.is(modem.state, 'idle');
});

test('no coverage: CGATT stays 0, start and send fail with NBIOT_NOT_ATTACHED; coverage back, the next send works', async (t) => {
  const { clock, sim, modem, uplink, server } = nbiotFixture({ sim: { coverage: false }, modem: { attachDeadlineMs: 30_000 } });
  await t.throwsAsync(clock.run(uplink.send(hello)), { code: 'NBIOT_NOT_ATTACHED' });
  t.is(server.messages.length, 0);
  t.is((await clock.run(modem.signal())).rssiDbm, undefined, 'CSQ 99: no signal');
  sim.setCoverage(true);
  await clock.run(uplink.send(hello));
  t.is(server.messages.length, 1);
});

test('a socket error (+CME ERROR on NSOST) is retried on a fresh socket and succeeds', async (t) => {
  const { clock, sim, uplink, server } = nbiotFixture({ uplink: { retryPauseMs: 1000 } });
  sim.failNext('+NSOST', { reply: '+CME ERROR: 159' });
  await clock.run(uplink.send(hello));
  t.is(server.messages.length, 1);
  t.is(server.duplicates, 0);
  t.is(uplink.stats.attempts, 2);
  t.is(sim.commands.filter((c) => c.startsWith('AT+NSOST')).length, 2);
  t.true(sim.commands.includes('AT+NSOCL=0'), 'the suspect socket was closed');
  t.is(sim.openSockets, 1);
});

test('socket errors on every attempt surface as NBIOT_SOCKET with the CME error as cause', async (t) => {
  const { clock, sim, uplink } = nbiotFixture({ uplink: { attempts: 2 } });
  sim.failNext('+NSOST', { reply: '+CME ERROR: 159' }, 2);
  const error = (await t.throwsAsync(clock.run(uplink.send(hello)), { code: 'NBIOT_SOCKET' })) as NbIotError & { cause?: { code?: string } };
  t.is(error.cause?.code, 'NBIOT_CME_ERROR');
});

test('module reboot mid-session: the driver re-initialises and the next send succeeds', async (t) => {
  const { clock, sim, modem, uplink, server } = nbiotFixture();
  await clock.run(uplink.send(hello));
  const generation = modem.generation;
  sim.reboot();
  await clock.advance(2000);
  t.is(modem.reboots, 1);
  t.is(modem.state, 'idle');
  await clock.run(uplink.send({ ...hello, payload: asciiBytes('after reboot') }));
  t.is(server.messages.length, 2);
  t.is(asciiText(server.messages[1].payload), 'after reboot');
  t.is(modem.generation, generation + 1);
  t.is(sim.commands.filter((c) => c === 'AT+CFUN=1').length, 2, 'the whole power-up ran again');
  t.is(sim.commands.filter((c) => c.startsWith('AT+NSOCR')).length, 2, 'a new socket was opened in the new session');
});

test('module reboot while a datagram is being sent: the send is retried after re-initialisation', async (t) => {
  const { clock, sim, modem, uplink, server } = nbiotFixture();
  await clock.run(modem.start());
  sim.failNext('+NSOST', { reboot: true });
  await clock.run(uplink.send(hello));
  t.is(server.messages.length, 1);
  t.is(modem.reboots, 1);
  t.is(uplink.stats.attempts, 2);
});

test('module reboot while waiting for the ack: the wait ends early and the message is resent', async (t) => {
  const { clock, sim, uplink, server } = nbiotFixture({ uplink: { ackTimeoutMs: 60_000 } });
  server.ignoreNext = 1;
  const sending = uplink.send(hello);
  clock.schedule(30_000, () => sim.reboot());
  await clock.run(sending);
  t.is(server.messages.length, 1);
  t.true(clock.now() < 60_000, `finished at ${clock.now()} ms, before the ack timeout`);
});

test('echo left on (ATE0 ignored by the firmware): the whole flow still works', async (t) => {
  const { clock, sim, uplink, server } = nbiotFixture({ sim: { echo: true } });
  sim.failNext('E0', { reply: 'OK' });
  await clock.run(uplink.send(hello));
  t.true(sim.echo);
  t.is(server.messages.length, 1);
  server.sendDownlink(1, 2, asciiBytes('x'));
  await clock.advance(5000);
  t.deepEqual(server.downlinkAcks, [1]);
});

test('firmware without the +NSORF: prefix: acks and downlinks are read all the same', async (t) => {
  const { clock, uplink, server } = nbiotFixture({ sim: { nsorfPrefix: false } });
  const got: string[] = [];
  uplink.onDownlink = (d) => got.push(toHex(d.payload));
  await clock.run(uplink.send(hello));
  server.sendDownlink(3, 1, Uint8Array.of(0xde, 0xad));
  await clock.advance(5000);
  t.deepEqual(got, ['dead']);
});

test('a silent server: NBIOT_ACK_TIMEOUT after every attempt, with the attempts counted', async (t) => {
  const { clock, uplink, server } = nbiotFixture({ uplink: { attempts: 3, ackTimeoutMs: 10_000, retryPauseMs: 1000 } });
  server.silent = true;
  const error = (await t.throwsAsync(clock.run(uplink.send(hello)), { code: 'NBIOT_ACK_TIMEOUT' })) as NbIotError;
  t.true(/after 3 attempts/.test(error.message));
  t.is(uplink.stats.ackTimeouts, 3);
});

test('a lost uplink is resent after the ack timeout', async (t) => {
  const { clock, uplink, server } = nbiotFixture({ uplink: { ackTimeoutMs: 10_000 } });
  server.ignoreNext = 1;
  await clock.run(uplink.send(hello));
  t.is(server.messages.length, 1);
  t.is(uplink.stats.attempts, 2);
});

test('a lost ack makes the server see a duplicate (same sequence id), which it acks again', async (t) => {
  const { clock, uplink, server } = nbiotFixture({ uplink: { ackTimeoutMs: 10_000 } });
  server.loseAcks = 1;
  await clock.run(uplink.send(hello));
  t.is(server.messages.length, 1);
  t.is(server.duplicates, 1);
  t.is(uplink.stats.ackTimeouts, 1);
});

test('sends are serialised and numbered in order; alerts carry the alert flag', async (t) => {
  const { clock, uplink, server } = nbiotFixture();
  const all = Promise.all([
    uplink.send(hello),
    uplink.send({ payload: asciiBytes('smoke'), port: 4, priority: 'alert' }),
    uplink.send({ payload: new Uint8Array(0), port: 5, priority: 'data' }),
  ]);
  await clock.run(all);
  t.deepEqual(server.messages.map((m) => [m.seq, m.port, m.alert]), [[100, 3, false], [101, 4, true], [102, 5, false]]);
});

test('a message larger than maxPayloadBytes() is refused before touching the modem', async (t) => {
  const { clock, sim, uplink } = nbiotFixture();
  await t.throwsAsync(clock.run(uplink.send({ payload: new Uint8Array(508), port: 1, priority: 'data' })), { code: 'NBIOT_PAYLOAD_TOO_LARGE' });
  t.is(sim.commands.length, 0);
  await clock.run(uplink.send({ payload: new Uint8Array(507).fill(0x5a), port: 1, priority: 'data' }));
  t.pass();
});

test('CoAP platform transport: NCDP, NMGS up, ack and downlink as +NNMI', async (t) => {
  const { clock, sim, uplink, server } = nbiotFixture({ transport: { kind: 'coap-platform', host: '180.101.147.115' } });
  const got: number[] = [];
  uplink.onDownlink = (d) => got.push(d.port);
  await clock.run(uplink.send(hello));
  t.true(sim.commands.includes('AT+NCDP=180.101.147.115,5683'));
  t.true(sim.commands.some((c) => c.startsWith('AT+NMGS=15,A1010064')));
  t.is(server.messages.length, 1);
  server.sendDownlink(9, 6, Uint8Array.of(1));
  await clock.advance(5000);
  t.deepEqual(got, [6]);
  t.deepEqual(server.downlinkAcks, [9]);
});

test('MQTT transport: QMTOPEN, QMTCONN, QMTSUB, publish resolves on PUBACK, downlinks via +QMTRECV', async (t) => {
  const { clock, sim, uplink } = nbiotFixture({
    transport: { kind: 'mqtt', host: 'mqtt.example.net', port: 1883, clientId: 'gw-17', topic: 'axon/gw-17/up', downlinkTopic: 'axon/gw-17/down', username: 'gw', password: 'pw' },
  });
  sim.mqtt.credentials = { username: 'gw', password: 'pw' };
  const published: string[] = [];
  sim.mqtt.onPublish = (m) => published.push(`${m.topic} ${m.text}`);
  await clock.run(uplink.send(hello));
  t.true(sim.commands.includes('AT+QMTOPEN=0,"mqtt.example.net",1883'));
  t.true(sim.commands.includes('AT+QMTCONN=0,"gw-17","gw","pw"'));
  // Frame A1 01 0064 03 + "level=12.5", hex-encoded because QMTPUB carries text.
  t.deepEqual(published, ['axon/gw-17/up A1010064036C6576656C3D31322E35']);
  t.is(uplink.maxPayloadBytes(), 251);
  const got: string[] = [];
  uplink.onDownlink = (d) => got.push(asciiText(d.payload));
  t.true(sim.mqtt.push('axon/gw-17/down', 'A1030001026869'));
  await clock.advance(1000);
  t.deepEqual(got, ['hi']);
});

test('MQTT: wrong credentials are a named error from QMTCONN', async (t) => {
  const { clock, sim, uplink } = nbiotFixture({
    transport: { kind: 'mqtt', host: 'mqtt.example.net', port: 1883, clientId: 'gw', topic: 'up', username: 'gw', password: 'bad' },
    uplink: { attempts: 1 },
  });
  sim.mqtt.credentials = { username: 'gw', password: 'pw' };
  const error = (await t.throwsAsync(clock.run(uplink.send(hello)), { code: 'NBIOT_MQTT' })) as NbIotError;
  t.true(/bad user name or password/.test(error.message));
});

test('probabilistic faults (socket errors, UART noise, reboots): every message still arrives exactly once', async (t) => {
  const { clock, uplink, server, modem } = nbiotFixture({
    sim: { seed: 7, faults: { socketErrorRate: 0.2, noiseRate: 0.3, rebootRate: 0.02 } },
    uplink: { attempts: 6, ackTimeoutMs: 8000 },
  });
  for (let i = 0; i < 12; i++) await clock.run(uplink.send({ payload: asciiBytes(`m${i}`), port: 1, priority: 'data' }));
  t.deepEqual(server.messages.map((m) => asciiText(m.payload)), Array.from({ length: 12 }, (_, i) => `m${i}`));
  t.true(uplink.stats.attempts > 12, 'some attempts failed and were retried');
  t.log(`attempts ${uplink.stats.attempts}, reboots ${modem.reboots}, timeouts ${modem.engine.stats.timeouts}`);
});
