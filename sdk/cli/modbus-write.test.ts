/**
 * `axon modbus write` against the device simulator (`axon sim device` on a socat
 * pty, and Modbus TCP): the manifest check, --force, --dry-run and the read-back.
 * The write command runs in-process (runInProcess), the simulator as the user
 * runs it; no limit here depends on how fast the machine is (--timeout 10000 is a
 * hang guard: the simulator is a child process on a possibly busy machine).
 */
import test from 'ava';
import path from 'node:path';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { startModbusTcpSim } from '../../simulators/modbus/modbus-serial-front.js';
import { loadDeviceManifest } from '../manifest/validate.js';
import { checkWrite } from './commands/modbus-write-check.js';
import { freshLink, ModbusRTU, REPO_ROOT, runInProcess, startCli, WATER_LEVEL } from './test-kit.js';

const RELAY_MODULE = 'sdk/cli/test-fixtures/relay-module.json';
const RADAR = 'manifests/devices/radar-level-gauge.json';

async function simulatorOnPty(t: import('ava').ExecutionContext, manifest: string): Promise<string> {
  const link = freshLink();
  const sim = startCli(t, ['sim', 'device', '--manifest', manifest, '--pty', link, '--quiet']);
  await sim.waitFor(/listening on /);
  return link;
}

/** An independent reader (modbus-serial's client) of holding registers. */
async function theirHoldingRegisters(port: string, unit: number, address: number, count: number): Promise<number[]> {
  const client = new ModbusRTU();
  await client.connectRTUBuffered(port, { baudRate: 9600 });
  try {
    client.setID(unit);
    client.setTimeout(5000);
    return (await client.readHoldingRegisters(address, count)).data;
  } finally {
    await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}

test.serial('FC06 writes a writable config register over RTU, reads it back and prints both', async (t) => {
  const port = await simulatorOnPty(t, WATER_LEVEL);
  const result = await runInProcess(['modbus', 'write', '--timeout', '10000', '--port', port, '--unit', '1', '--fc', '6', '--address', '0', '--value', '7', '--manifest', WATER_LEVEL]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /request {3}01 06 00 00 00 07 C8 08/);
  t.regex(result.stdout, /slave_address \(Slave address\): changes 1 → 7/);
  t.regex(result.stdout, /wrote {5}7 \(0x0007\)/);
  t.regex(result.stdout, /read back 7 \(0x0007\) {2}\(matches\)/);
  // Someone else's client sees the new value too.
  t.deepEqual(await theirHoldingRegisters(port, 1, 0, 1), [7]);
});

test.serial('a register the manifest does not mark writable config is refused before anything is sent', async (t) => {
  const port = await simulatorOnPty(t, WATER_LEVEL);
  const result = await runInProcess(['modbus', 'write', '--timeout', '10000', '--port', port, '--unit', '1', '--fc', '6', '--address', '1', '--value', '4', '--manifest', WATER_LEVEL]);
  t.is(result.code, 1);
  t.is(result.stdout, '');
  t.regex(result.stderr, /axon: FC06 at address 1 .*not allowed by the manifest: holding register 1 is 'baud_code' .*does not mark writable/);
  t.regex(result.stderr, /Fix: .*--force/);
  t.deepEqual(await theirHoldingRegisters(port, 1, 1, 1), [3], 'the baud code is untouched');
});

test.serial('--dry-run prints the request frame and what would change, and writes nothing', async (t) => {
  const port = await simulatorOnPty(t, WATER_LEVEL);
  const result = await runInProcess(['modbus', 'write', '--timeout', '10000', '--port', port, '--unit', '1', '--fc', '6', '--address', '0', '--value', '12', '--manifest', WATER_LEVEL, '--dry-run', '--json']);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(JSON.parse(result.stdout), {
    fc: 6, unit: 1, address: 0, written: [12], request: '01 06 00 00 00 0C 89 CF', dryRun: true, before: [1],
    points: [{ id: 'slave_address', name: 'Slave address', before: 1, after: 12 }],
  });
  t.deepEqual(await theirHoldingRegisters(port, 1, 0, 1), [1]);
});

test.serial('--force writes where the manifest says no, with the reasons as warnings', async (t) => {
  const port = await simulatorOnPty(t, RELAY_MODULE);
  const args = ['modbus', 'write', '--timeout', '10000', '--port', port, '--unit', '1', '--fc', '6', '--address', '0', '--value', '750', '--manifest', RELAY_MODULE];
  const refused = await runInProcess(args);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /'setpoint' \(Output setpoint\), a writable status point, not a config register/);

  const forced = await runInProcess([...args, '--force']);
  t.is(forced.code, 0, forced.stderr);
  t.regex(forced.stderr, /warning \(--force\): holding register 0 is 'setpoint'/);
  t.regex(forced.stdout, /setpoint \(Output setpoint\): changes 50 % → 75 %/);
  t.regex(forced.stdout, /read back 750 \(0x02EE\) {2}\(matches\)/);
});

test.serial('a value the device does not keep is a mismatch: both printed, exit 1', async (t) => {
  const port = await simulatorOnPty(t, RELAY_MODULE);
  // Register 1 holds only the buzzer bit; the device keeps bit 0 of the word written.
  const result = await runInProcess(['modbus', 'write', '--timeout', '10000', '--port', port, '--unit', '1', '--fc', '6', '--address', '1', '--value', '0x0003', '--manifest', RELAY_MODULE]);
  t.is(result.code, 1);
  t.regex(result.stdout, /wrote {5}3 \(0x0003\)/);
  t.regex(result.stdout, /read back 1 \(0x0001\) {2}\(DIFFERS\)/);
  t.regex(result.stderr, /axon: unit 1 holds 1 \(0x0001\) at 1 after being written 3 \(0x0003\)/);
});

test.serial('FC05 and FC15 write coils and read them back', async (t) => {
  const port = await simulatorOnPty(t, RELAY_MODULE);
  const single = await runInProcess(['modbus', 'write', '--timeout', '10000', '--port', port, '--unit', '1', '--fc', '5', '--address', '1', '--value', 'on', '--manifest', RELAY_MODULE, '--json']);
  t.is(single.code, 0, single.stderr);
  const one = JSON.parse(single.stdout) as { request: string; before: number[]; readBack: number[]; match: boolean };
  t.is(one.request, '01 05 00 01 FF 00 DD FA');
  t.deepEqual([one.before, one.readBack, one.match], [[0], [1], true]);

  const several = await runInProcess(['modbus', 'write', '--timeout', '10000', '--port', port, '--unit', '1', '--fc', '15', '--address', '0', '--value', '1,0,0', '--manifest', RELAY_MODULE, '--json']);
  t.is(several.code, 0, several.stderr);
  const three = JSON.parse(several.stdout) as { before: number[]; readBack: number[]; match: boolean; points: Array<{ id: string; before: boolean; after: boolean }> };
  t.deepEqual([three.before, three.readBack, three.match], [[0, 1, 1], [1, 0, 0], true]);
  t.deepEqual(three.points.map((p) => [p.id, p.before, p.after]), [['relay_1', false, true], ['relay_2', true, false], ['relay_3', true, false]]);
});

test.serial('FC16 over Modbus TCP writes a whole float32 config point; half of it is refused', async (t) => {
  const manifest = loadDeviceManifest(path.join(REPO_ROOT, RADAR));
  const sim = await startModbusTcpSim({ manifest, port: 0, clock: new VirtualClock() });
  t.teardown(() => sim.close());
  const port = `tcp://127.0.0.1:${sim.port}`;
  // Unit 2 is the gauge's default address. 9.5 m as float32 word-swapped (CDAB): 0x41180000 → words 0x0000, 0x4118.
  const result = await runInProcess(['modbus', 'write', '--timeout', '10000', '--port', port, '--unit', '2', '--fc', '16', '--address', '16', '--value', '0,0x4118', '--manifest', RADAR]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /request {3}00 01 00 00 00 0B 02 10 00 10 00 02 04 00 00 41 18/);
  t.regex(result.stdout, /mounting_height \(.*\): changes 8 m → 9\.5 m/);
  t.is(sim.simulator.valueOf('mounting_height'), 9.5);

  const half = await runInProcess(['modbus', 'write', '--timeout', '10000', '--port', port, '--unit', '2', '--fc', '6', '--address', '17', '--value', '0x4120', '--manifest', RADAR]);
  t.is(half.code, 1);
  t.regex(half.stderr, /'mounting_height' occupies holding registers 16–17 \(float32\); write all 2 with --fc 16 --address 16/);
  t.is(sim.simulator.valueOf('mounting_height'), 9.5);
});

test('checkWrite: config and writable both required, every address mapped, multi-word points whole', (t) => {
  const manifest = loadDeviceManifest(path.join(REPO_ROOT, WATER_LEVEL));
  t.deepEqual(checkWrite(manifest, 6, 0, 1).problems, []);
  t.deepEqual(checkWrite(manifest, 16, 0, 2).problems, ["holding register 1 is 'baud_code' (Baud rate code (0=1200, 1=2400, 2=4800, 3=9600, 4=19200)), a config point the manifest does not mark writable"]);
  t.deepEqual(checkWrite(manifest, 6, 40, 1).problems, ["holding register 40 is not in the manifest's map"]);
  t.deepEqual(checkWrite(manifest, 5, 0, 1).problems, ["coil 0 is not in the manifest's map"]);
});

test.serial('usage errors: no manifest without --force, several values for FC06, a bad coil state', async (t) => {
  const base = ['modbus', 'write', '--port', '/dev/axon-no-such-tty', '--unit', '1', '--address', '0'];
  const noManifest = await runInProcess([...base, '--fc', '6', '--value', '1']);
  t.is(noManifest.code, 2);
  t.regex(noManifest.stderr, /give --manifest <file>/);
  const several = await runInProcess([...base, '--fc', '6', '--value', '1,2', '--manifest', WATER_LEVEL]);
  t.is(several.code, 2);
  t.regex(several.stderr, /FC06 writes one register, got 2 values; use --fc 16/);
  const coil = await runInProcess([...base, '--fc', '5', '--value', 'maybe', '--manifest', RELAY_MODULE]);
  t.is(coil.code, 2);
  t.regex(coil.stderr, /--value "maybe" is not a coil state/);
});
