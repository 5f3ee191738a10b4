/**
 * The real-wire simulator against modbus-serial's own client: over a socat pty
 * pair for RTU, over loopback TCP for Modbus TCP. The gateway's master is tested
 * against the same fronts elsewhere; here we check the fronts themselves.
 */
import test from 'ava';
import modbusSerial from 'modbus-serial';
import type { ModbusRTU as ModbusRTUClient } from 'modbus-serial/ModbusRTU.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { decodeRaw } from '../../drivers/modbus/values.js';
import { createPtyPair } from '../pty.js';
import { startModbusRtuSim, startModbusTcpSim } from './modbus-serial-front.js';
import { FaultInjector } from './faults.js';
import { LEVEL_SENSOR } from './test-fixture.js';

const MINUTE = 60000;
// modbus-serial is CommonJS with `module.exports = ModbusRTU`; its typings declare an ES default
// export, which NodeNext does not see as the class, hence the cast.
const ModbusRTU = modbusSerial as unknown as typeof ModbusRTUClient;

function num(value: number | boolean | undefined): number {
  if (typeof value !== 'number') throw new TypeError(`expected a number, got ${String(value)}`);
  return value;
}

async function rtuSetup(t: import('ava').ExecutionContext, clock: VirtualClock, faults = new FaultInjector()) {
  const pty = await createPtyPair();
  t.teardown(() => pty.close());
  const sim = await startModbusRtuSim({ manifest: LEVEL_SENSOR, path: pty.pathB, baud: 9600, unit: 1, faults, clock, seed: 7 });
  t.teardown(() => sim.close());
  const client = new ModbusRTU();
  await client.connectRTUBuffered(pty.pathA, { baudRate: 9600 });
  t.teardown(() => new Promise<void>((resolve) => client.close(() => resolve())));
  client.setID(1);
  client.setTimeout(400);
  return { sim, client, faults };
}

/** The rejection of `promise` (modbus-serial rejects timeouts with a non-Error object). */
async function failure(promise: Promise<unknown>): Promise<{ message?: string; modbusCode?: number; name?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { message?: string; modbusCode?: number };
  }
  throw new Error('expected the request to fail');
}

function modbusCode(error: unknown): number | undefined {
  return (error as { modbusCode?: number }).modbusCode;
}

test('RTU over a real pty: modbus-serial client reads what the DeviceSimulator holds', async (t) => {
  const clock = new VirtualClock();
  const { sim, client } = await rtuSetup(t, clock);
  await clock.advance(20 * MINUTE); // mid-storm: level 15.0 cm, flood alarm on
  const holding = await client.readHoldingRegisters(0, 7);
  t.deepEqual(holding.data, sim.simulator.readRegisters(3, 0, 7));
  t.deepEqual(holding.data, [1, 3, 0, 1, 150, 0, 500]);
  t.is(holding.data[4] / 10, num(sim.simulator.pointValues().level));

  const status = await client.readHoldingRegisters(16, 1);
  t.is(status.data[0], (9 << 8) | 1);

  const input = await client.readInputRegisters(0, 14);
  t.is(decodeRaw(input.data, 0, 'float32'), num(sim.simulator.pointValues().voltage));
  t.is(decodeRaw(input.data, 12, 'uint32') / 100, num(sim.simulator.pointValues().energy));

  const coils = await client.readCoils(0, 3);
  t.deepEqual(coils.data.slice(0, 3), [false, false, true]);
  const inputs = await client.readDiscreteInputs(0, 1);
  t.deepEqual(inputs.data.slice(0, 1), [true]);

  await client.writeRegister(3, 2);
  t.is(sim.simulator.pointValues().decimals, 2);
  t.deepEqual((await client.readHoldingRegisters(4, 1)).data, [1500]);
  await client.writeCoil(0, true);
  t.is(sim.simulator.pointValues().relay, true);
  await client.writeRegisters(6, [800]);
  t.is(sim.simulator.pointValues().range_full, 800);

  const outside = await failure(client.readHoldingRegisters(100, 2));
  t.is(modbusCode(outside), 2, 'ILLEGAL_DATA_ADDRESS outside the map');
  const readOnly = await failure(client.writeRegister(4, 1));
  t.is(modbusCode(readOnly), 2);
});

test('RTU: the simulator answers only its own unit id', async (t) => {
  const { client } = await rtuSetup(t, new VirtualClock());
  client.setID(2);
  const error = await failure(client.readHoldingRegisters(0, 1));
  t.regex(error?.message ?? '', /Timed out/);
  client.setID(1);
  t.deepEqual((await client.readHoldingRegisters(0, 1)).data, [1]);
});

test('RTU faults reach the wire: exception, crc, silence, wrong unit, then normal replies', async (t) => {
  const { client, faults } = await rtuSetup(t, new VirtualClock());
  faults.injectNext('exception');
  t.is(modbusCode(await failure(client.readHoldingRegisters(0, 2))), 4);
  faults.injectNext('crc');
  t.regex((await failure(client.readHoldingRegisters(0, 2)))?.message ?? '', /CRC error/);
  faults.injectNext('silence');
  t.regex((await failure(client.readHoldingRegisters(0, 2)))?.message ?? '', /Timed out/);
  faults.injectNext('wrong-unit');
  t.regex((await failure(client.readHoldingRegisters(0, 2)))?.message ?? '', /Timed out/, 'a reply from unit 2 is not an answer');
  t.deepEqual((await client.readHoldingRegisters(0, 2)).data, [1, 3]);
  t.is(faults.counts.exception + faults.counts.crc + faults.counts.silence + faults.counts['wrong-unit'], 4);
});

test('RTU slow fault: the reply arrives after the configured delay', async (t) => {
  const faults = new FaultInjector({ slowMs: 600 });
  const { client } = await rtuSetup(t, new VirtualClock(), faults);
  client.setTimeout(2000);
  faults.injectNext('slow');
  const started = Date.now();
  t.deepEqual((await client.readHoldingRegisters(0, 1)).data, [1]);
  t.true(Date.now() - started >= 600, `answered after ${Date.now() - started} ms`);
});

test('TCP: modbus-serial client reads what the DeviceSimulator holds; faults apply', async (t) => {
  const clock = new VirtualClock();
  const faults = new FaultInjector();
  const sim = await startModbusTcpSim({ manifest: LEVEL_SENSOR, port: 0, unit: 1, faults, clock });
  t.teardown(() => sim.close());
  t.true(sim.port > 0);
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port: sim.port });
  t.teardown(() => new Promise<void>((resolve) => client.close(() => resolve())));
  client.setID(1);
  client.setTimeout(400);
  await clock.advance(35 * MINUTE);
  t.deepEqual((await client.readHoldingRegisters(0, 7)).data, sim.simulator.readRegisters(3, 0, 7));
  const input = await client.readInputRegisters(0, 2);
  t.is(decodeRaw(input.data, 0, 'float32'), num(sim.simulator.pointValues().voltage));
  await client.writeRegister(6, 750);
  t.is(sim.simulator.pointValues().range_full, 750);

  faults.injectNext('exception');
  t.is(modbusCode(await failure(client.readHoldingRegisters(0, 1))), 4);
  faults.injectNext('silence');
  t.regex((await failure(client.readHoldingRegisters(0, 1)))?.message ?? '', /Timed out/);
  t.deepEqual((await client.readHoldingRegisters(0, 1)).data, [1], 'normal replies resume');
});

test('TCP refuses the crc fault with an explanation', async (t) => {
  const error = await t.throwsAsync(startModbusTcpSim({ manifest: LEVEL_SENSOR, port: 0, unit: 1, faults: 'crc:0.1' }));
  t.is((error as { code?: string }).code, 'SIM_FAULT_NOT_ON_TCP');
  t.regex(error?.message ?? '', /no CRC/);
});
