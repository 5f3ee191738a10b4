/**
 * `axon sim device` against a third-party master: modbus-serial's client over
 * the virtual serial port the CLI creates, and over Modbus TCP.
 */
import test from 'ava';

// Serial: each test spawns node + tsx; a file's worth at once on a shared 2-core machine makes them all slow.
import { existsSync } from 'node:fs';
import { freshLink, ModbusRTU, startCli, WATER_LEVEL } from './test-kit.js';

test.serial('sim device --pty serves modbus-serial\'s RTU client and removes its link on SIGINT', async (t) => {
  const link = freshLink();
  const sim = startCli(t, ['sim', 'device', '--manifest', WATER_LEVEL, '--pty', link, '--interval', '1']);
  await sim.waitFor(/listening on /);
  t.regex(sim.stdout, /Modbus RTU unit 1 at 9600 8N1/);

  const client = new ModbusRTU();
  await client.connectRTUBuffered(link, { baudRate: 9600 });
  t.teardown(() => new Promise<void>((resolve) => (client.isOpen ? client.close(() => resolve()) : resolve())));
  client.setID(1);
  client.setTimeout(10_000); // a hang guard: the simulator is a child process on a possibly busy machine
  const { data } = await client.readHoldingRegisters(0, 7);
  t.is(data[0], 1, 'slave address register');
  t.true(data[3] >= 0 && data[3] <= 3, `decimal places ${data[3]}`);
  // Before the storm: 0 cm plus sensor noise, at one decimal place; the signed view tolerates -0.x.
  const level = data[4] >= 0x8000 ? data[4] - 0x10000 : data[4];
  t.true(level >= -50 && level <= 5000, `level raw ${level}`);
  await new Promise<void>((resolve) => client.close(() => resolve()));

  await sim.waitFor(/\d\d:\d\d:\d\d level=-?[\d.]+ cm/, 5000);
  const exit = await sim.stop();
  t.is(exit.code, 0, sim.stderr);
  t.false(existsSync(link), 'the pty link is gone after SIGINT');
});

test.serial('sim device --tcp serves modbus-serial\'s TCP client', async (t) => {
  const sim = startCli(t, ['sim', 'device', '--manifest', WATER_LEVEL, '--tcp', '0', '--unit', '7', '--quiet']);
  const [, port] = await sim.waitFor(/listening on tcp:\/\/127\.0\.0\.1:(\d+)/);
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port: Number(port) });
  t.teardown(() => new Promise<void>((resolve) => client.close(() => resolve())));
  client.setID(7);
  client.setTimeout(10_000); // a hang guard: the simulator is a child process on a possibly busy machine
  const { data } = await client.readHoldingRegisters(0, 7);
  t.true(data[3] >= 0 && data[3] <= 3, `decimal places ${data[3]}`);
  t.is(data[6], 5000, 'range full scale 500.0 cm');
});

test.serial('sim device refuses a bad fault kind and a missing endpoint with usage errors', async (t) => {
  const { runInProcess } = await import('./test-kit.js');
  const badFault = await runInProcess(['sim', 'device', '--manifest', WATER_LEVEL, '--tcp', '0', '--fault', 'gremlins']);
  t.is(badFault.code, 2);
  t.regex(badFault.stderr, /unknown fault kind "gremlins".*crc, exception, silence, slow, garbage, truncate, wrong-unit/);
  const neither = await runInProcess(['sim', 'device', '--manifest', WATER_LEVEL]);
  t.is(neither.code, 2);
  t.regex(neither.stderr, /exactly one of --pty <link path> or --tcp <port>/);
  const badManifest = await runInProcess(['sim', 'device', '--manifest', 'manifests/devices/nope.json', '--tcp', '0']);
  t.is(badManifest.code, 1);
  t.regex(badManifest.stderr, /^axon: .*nope\.json/);
});
