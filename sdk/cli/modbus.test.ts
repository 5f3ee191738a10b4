/**
 * `axon modbus read` and `axon modbus scan` against modbus-serial's servers
 * (ServerSerial on a socat pty, ServerTCP): our master, a third-party slave.
 */
import test from 'ava';

// Serial: the simulators are child processes (node + tsx); a file's worth at once on a shared 2-core machine makes them all slow.
// The commands under test run in-process (runInProcess): no compile per call, nothing that depends on machine speed.
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { createPtyPair } from '../../simulators/pty.js';
import { startModbusRtuSim, startModbusTcpSim } from '../../simulators/modbus/modbus-serial-front.js';
import { loadDeviceManifest } from '../manifest/validate.js';
import { freshLink, ModbusRTU, REPO_ROOT, runInProcess, startCli, WATER_LEVEL } from './test-kit.js';
import path from 'node:path';

const manifest = loadDeviceManifest(path.join(REPO_ROOT, WATER_LEVEL));

function registersOf(stdout: string): number[] {
  const parsed = JSON.parse(stdout) as { registers: number[] };
  return parsed.registers;
}

test.serial('modbus read --json over RTU matches the simulator and a modbus-serial client', async (t) => {
  const pty = await createPtyPair();
  t.teardown(() => pty.close());
  // A frozen clock: the storm model's noise cannot move the level between the two reads.
  const sim = await startModbusRtuSim({ manifest, path: pty.pathB, baud: 9600, clock: new VirtualClock(), seed: 5 });
  t.teardown(() => sim.close());

  const result = await runInProcess(['modbus', 'read', '--port', pty.pathA, '--unit', '1', '--fc', '3', '--address', '0', '--count', '7', '--json']);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(JSON.parse(result.stdout), { registers: sim.simulator.readRegisters(3, 0, 7) });

  const client = new ModbusRTU();
  await client.connectRTUBuffered(pty.pathA, { baudRate: 9600 });
  client.setID(1);
  client.setTimeout(1000);
  const theirs = await client.readHoldingRegisters(0, 7);
  await new Promise<void>((resolve) => client.close(() => resolve()));
  t.deepEqual(registersOf(result.stdout), theirs.data);
});

test.serial('modbus read prints a table with hex, unsigned and signed columns', async (t) => {
  const pty = await createPtyPair();
  t.teardown(() => pty.close());
  const sim = await startModbusRtuSim({ manifest, path: pty.pathB, baud: 9600, clock: new VirtualClock() });
  t.teardown(() => sim.close());
  const result = await runInProcess(['modbus', 'read', '--port', pty.pathA, '--unit', '1', '--address', '3', '--count', '4']);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /address\s+hex addr\s+hex\s+unsigned\s+signed/);
  // range_full, 500.0 cm at one decimal = raw 5000 = 0x1388.
  t.regex(result.stdout, /\n\s+6\s+0x0006\s+0x1388\s+5000\s+5000/);
});

test.serial('modbus read --json over Modbus TCP matches the simulator', async (t) => {
  const sim = await startModbusTcpSim({ manifest, port: 0, clock: new VirtualClock(), seed: 5 });
  t.teardown(() => sim.close());
  const result = await runInProcess(['modbus', 'read', '--port', `tcp://127.0.0.1:${sim.port}`, '--unit', '1', '--fc', '3', '--address', '0', '--count', '7', '--json']);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(registersOf(result.stdout), sim.simulator.readRegisters(3, 0, 7));
});

test.serial('modbus read reports an exception reply with its name and exits 1', async (t) => {
  const sim = await startModbusTcpSim({ manifest, port: 0, clock: new VirtualClock() });
  t.teardown(() => sim.close());
  // The map ends at register 6: reading 0..9 is an illegal data address.
  const result = await runInProcess(['modbus', 'read', '--port', `tcp://127.0.0.1:${sim.port}`, '--unit', '1', '--address', '0', '--count', '10', '--json']);
  t.is(result.code, 1);
  t.is(result.stdout, '');
  t.regex(result.stderr, /^axon: .*ILLEGAL_DATA_ADDRESS/);
});

test.serial('modbus read against a simulator injecting CRC faults fails with a CRC error', async (t) => {
  const link = freshLink();
  const sim = startCli(t, ['sim', 'device', '--manifest', WATER_LEVEL, '--pty', link, '--fault', 'crc:1', '--quiet']);
  await sim.waitFor(/listening on /);
  const result = await runInProcess(['modbus', 'read', '--port', link, '--unit', '1', '--address', '0', '--count', '2', '--retries', '0', '--timeout', '10000']);
  t.is(result.code, 1);
  t.regex(result.stderr, /CRC/);
  t.regex(result.stderr, /^axon: /);
});

test.serial('modbus read on a port that does not exist says so and exits 1', async (t) => {
  const result = await runInProcess(['modbus', 'read', '--port', '/dev/axon-no-such-tty', '--unit', '1', '--address', '0', '--count', '1']);
  t.is(result.code, 1);
  t.regex(result.stderr, /axon: serial port \/dev\/axon-no-such-tty does not exist/);
});

test.serial('modbus scan finds the simulated unit and prints its line settings', async (t) => {
  const link = freshLink();
  const sim = startCli(t, ['sim', 'device', '--manifest', WATER_LEVEL, '--pty', link, '--unit', '3', '--quiet']);
  await sim.waitFor(/listening on /);
  const human = await runInProcess(['modbus', 'scan', '--port', link, '--bauds', '9600', '--parities', 'none', '--units', '1-4', '--timeout', '2000']);
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /unit\s+3\s+9600 8N1\s+data/);
  t.notRegex(human.stdout, /unit\s+[124]\s/);
  t.regex(human.stderr, /scanning/); // progress goes to stderr

  const json = await runInProcess(['modbus', 'scan', '--port', link, '--bauds', '9600', '--parities', 'none', '--units', '1-4', '--timeout', '2000', '--json']);
  t.is(json.code, 0, json.stderr);
  t.deepEqual(JSON.parse(json.stdout), [{ unit: 3, baud: 9600, parity: 'none', stopBits: 1, reply: 'data' }]);
});

// modbus-serial's ServerSerial needs ≥ 30 ms to answer, more on a busy CI machine: the scans
// here use --timeout 2000 so a late reply cannot spill into the next unit's probe even when the machine is loaded.
test.serial('modbus scan counts an exception reply as a device and lists CRC replies as suspects', async (t) => {
  const link = freshLink();
  const sim = startCli(t, ['sim', 'device', '--manifest', WATER_LEVEL, '--pty', link, '--quiet']);
  const faulty = startCli(t, ['sim', 'device', '--manifest', WATER_LEVEL, '--pty', `${link}-crc`, '--fault', 'crc:1', '--quiet']);
  await Promise.all([sim.waitFor(/listening on /), faulty.waitFor(/listening on /)]);
  // Register 100 is outside the map: the device answers with an exception, which still proves it is there.
  const exception = await runInProcess(['modbus', 'scan', '--port', link, '--bauds', '9600', '--parities', 'none', '--units', '1-2', '--address', '100', '--timeout', '2000', '--json']);
  t.is(exception.code, 0, exception.stderr);
  t.deepEqual(JSON.parse(exception.stdout), [{ unit: 1, baud: 9600, parity: 'none', stopBits: 1, reply: 'exception' }]);

  const crc = await runInProcess(['modbus', 'scan', '--port', `${link}-crc`, '--bauds', '9600', '--parities', 'none', '--units', '1-2', '--timeout', '2000', '--json']);
  t.is(crc.code, 0, crc.stderr);
  t.deepEqual(JSON.parse(crc.stdout), []);
  t.regex(crc.stderr, /suspect/);
  t.regex(crc.stderr, /unit\s+1\s+9600 8N1\s+MODBUS_CRC/);
});
