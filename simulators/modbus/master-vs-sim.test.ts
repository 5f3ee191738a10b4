/**
 * End to end on a real (virtual) wire: the core's Modbus RTU master, through the
 * Node serial port adapter, against modbus-serial's ServerSerial driven by the
 * DeviceSimulator, with each fault kind injected once. Independent
 * implementations on the two sides; the master must name every failure right.
 */
import test from 'ava';
import { ModbusRtuMaster } from '../../drivers/modbus/rtu-master.js';
import { ModbusTcpMaster } from '../../drivers/modbus/tcp-master.js';
import { connectTcpStream } from '../../firmware/rpi/ports/tcp-stream.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { NodeClock } from '../../firmware/rpi/ports/node-clock.js';
import { openSerialStream } from '../../firmware/rpi/ports/serial-stream.js';
import { createPtyPair } from '../pty.js';
import { FaultInjector, type FaultKind } from './faults.js';
import { startModbusRtuSim, startModbusTcpSim } from './modbus-serial-front.js';
import { LEVEL_SENSOR } from './test-fixture.js';

test('the core RTU master reads the simulator and classifies every injected fault', async (t) => {
  const pty = await createPtyPair();
  t.teardown(() => pty.close());
  const faults = new FaultInjector({ seed: 2 });
  const sim = await startModbusRtuSim({ manifest: LEVEL_SENSOR, path: pty.pathB, baud: 9600, unit: 1, faults, clock: new VirtualClock() });
  t.teardown(() => sim.close());
  const stream = await openSerialStream({ path: pty.pathA, baud: 9600 });
  const clock = new NodeClock();
  const master = new ModbusRtuMaster({ stream, clock, retries: 0, name: pty.pathA, minFrameGapMs: 20 });
  t.teardown(() => {
    master.close();
    stream.close();
    clock.cancelAll();
  });

  t.deepEqual(Array.from(await master.readHoldingRegisters(1, 0, 7)), [1, 3, 0, 1, 0, 0, 500]);

  const expected: Array<[FaultKind, string]> = [
    ['exception', 'MODBUS_EXCEPTION'],
    ['crc', 'MODBUS_CRC'],
    ['silence', 'MODBUS_TIMEOUT'],
    ['slow', 'MODBUS_LATE_RESPONSE'],
    ['garbage', 'MODBUS_NOISE'],
    ['truncate', 'MODBUS_TRUNCATED'],
    ['wrong-unit', 'MODBUS_WRONG_UNIT'],
  ];
  const seen: string[] = [];
  for (const [kind] of expected) {
    faults.injectNext(kind);
    try {
      await master.readHoldingRegisters(1, 0, 7);
      seen.push(`${kind} → no error`);
    } catch (error) {
      seen.push(`${kind} → ${(error as { code?: string }).code}`);
    }
    // Let any late bytes drain before the next request.
    await new Promise((resolve) => setTimeout(resolve, 100));
    t.deepEqual(Array.from(await master.readHoldingRegisters(1, 0, 2)), [1, 3], `normal reply after ${kind}`);
  }
  t.deepEqual(seen, expected.map(([kind, code]) => `${kind} → ${code}`));
});

test('the core TCP master reads the simulator over Modbus TCP and classifies the TCP faults', async (t) => {
  const faults = new FaultInjector({ seed: 2 });
  const sim = await startModbusTcpSim({ manifest: LEVEL_SENSOR, port: 0, unit: 1, faults, clock: new VirtualClock() });
  t.teardown(() => sim.close());
  const clock = new NodeClock();
  const connect = async () => {
    const stream = await connectTcpStream({ host: sim.host, port: sim.port });
    return { stream, master: new ModbusTcpMaster({ stream, clock, retries: 0, name: `tcp://${sim.host}:${sim.port}` }) };
  };
  let link = await connect();
  t.teardown(() => {
    link.master.close();
    link.stream.close();
    clock.cancelAll();
  });
  t.deepEqual(Array.from(await link.master.readInputRegisters(1, 12, 2)), [0x0001, 0xe23a]);
  const seen: string[] = [];
  // garbage and truncate desynchronise a TCP stream for good, as on a real link: reconnect after them.
  for (const kind of ['exception', 'silence', 'slow', 'wrong-unit', 'garbage', 'truncate'] as const) {
    faults.injectNext(kind);
    try {
      await link.master.readHoldingRegisters(1, 0, 7);
      seen.push(`${kind} → no error`);
    } catch (error) {
      seen.push(`${kind} → ${(error as { code?: string }).code}`);
    }
    if (kind === 'garbage' || kind === 'truncate') {
      link.master.close();
      link.stream.close();
      link = await connect();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    t.deepEqual(Array.from(await link.master.readHoldingRegisters(1, 0, 2)), [1, 3], `normal reply after ${kind}`);
  }
  t.log(seen.join('; '));
  t.is(seen[0], 'exception → MODBUS_EXCEPTION');
  t.is(seen[1], 'silence → MODBUS_TIMEOUT');
  t.is(seen[2], 'slow → MODBUS_LATE_RESPONSE');
  t.is(seen[3], 'wrong-unit → MODBUS_WRONG_UNIT');
  t.is(seen[4], 'garbage → MODBUS_NOISE');
  t.is(seen[5], 'truncate → MODBUS_TRUNCATED');
});
