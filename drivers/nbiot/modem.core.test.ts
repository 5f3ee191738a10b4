import { test } from '../../test/kit/core-test.js';
import { asciiBytes } from '../bytes.js';
import { nbiotFixture } from '../../simulators/nbiot/test-fixture.js';
import type { NbIotError } from './errors.js';

test('signal and UE statistics from the module', async (t) => {
  const { clock, modem } = nbiotFixture({ sim: { rssiIndex: 20 } });
  await clock.run(modem.start());
  t.deepEqual(await clock.run(modem.signal()), { rssiIndex: 20, rssiDbm: -73, ber: undefined });
  const stats = await clock.run(modem.ueStats());
  t.is(stats.rsrpDbm, -80);
  t.is(stats.cellId, '37720402');
  t.is(stats.ecl, 0);
  t.is(stats.sinrDb, 17.2);
  t.is(stats.band, 8);
});

test('PSM settings are sent with encoded timers during start', async (t) => {
  const { clock, modem, sim } = nbiotFixture({ modem: { psm: { periodicTauSeconds: 86_400, activeTimeSeconds: 20 } } });
  await clock.run(modem.start());
  t.true(sim.commands.includes('AT+CPSMS=1,,,00111000,00001010'));
  await clock.run(modem.setPsm(undefined));
  t.is(sim.commands[sim.commands.length - 1], 'AT+CPSMS=0');
});

test("attach 'auto' relies on the module's autoconnect and only polls", async (t) => {
  const { clock, modem, sim } = nbiotFixture({ modem: { attach: 'auto' } });
  await clock.run(modem.start());
  t.false(sim.commands.includes('AT+CGATT=1'));
  t.true(sim.attached);
});

test('a module that boots while we start (REBOOT banner mid-sequence) is synced and started again', async (t) => {
  const { clock, modem, sim } = nbiotFixture();
  sim.failNext('+CFUN', { reboot: true });
  await clock.run(modem.start());
  t.is(modem.state, 'ready');
  t.is(modem.reboots, 1);
  t.is(sim.commands.filter((c) => c === 'AT+CFUN=1').length, 2);
});

test('a module that never answers: NBIOT_NOT_RESPONDING after the retries, with a hardware fix', async (t) => {
  const { clock, modem, sim } = nbiotFixture({ modem: { attachDeadlineMs: 20_000, backoffMs: 1000 } });
  sim.close(); // the simulator stops listening: a dead module
  const error = (await t.throwsAsync(clock.run(modem.start()), { code: 'NBIOT_NOT_RESPONDING' })) as NbIotError;
  t.true(/baud rate/.test(error.fix ?? ''));
  t.true(clock.now() <= 20_000 + 5000, `gave up at ${clock.now()} ms`);
});

test('lost registration (+CEREG:2) drops the session; the next send re-attaches', async (t) => {
  const { clock, modem, sim, uplink, server } = nbiotFixture({ sim: { attachDelayMs: 5000 } });
  await clock.run(uplink.send({ payload: asciiBytes('a'), port: 1, priority: 'data' }));
  sim.setCoverage(false);
  await clock.advance(100);
  t.is(modem.state, 'idle');
  sim.setCoverage(true);
  await clock.run(uplink.send({ payload: asciiBytes('b'), port: 1, priority: 'data' }));
  t.is(server.messages.length, 2);
  t.is(modem.generation, 2);
});

test('concurrent ensureReady() calls share one start', async (t) => {
  const { clock, modem, sim } = nbiotFixture();
  await clock.run(Promise.all([modem.ensureReady(), modem.ensureReady(), modem.start()]));
  t.is(sim.commands.filter((c) => c === 'AT+CFUN=1').length, 1);
  modem.close();
  await t.throwsAsync(modem.ensureReady(), { code: 'NBIOT_CLOSED' });
});
