import { test } from '../test/kit/core-test.js';
import { createStreamPair } from '../drivers/ports/memory-stream.js';
import { VirtualClock } from '../drivers/ports/virtual-clock.js';
import { ModbusRtuMaster } from '../drivers/modbus/rtu-master.js';
import { DeviceSimulator } from './device-sim.js';
import { RtuSlave } from './modbus/rtu-slave.js';
import { SharedBus } from './shared-bus.js';
import type { DeviceManifest } from '../drivers/devices/manifest.js';

const manifest: DeviceManifest = {
  id: 'test-device',
  name: 'Test device',
  vendor: 'test',
  category: 'other',
  protocol: 'modbus',
  line: { baud: 9600, parity: 'none', stopBits: 1 },
  defaultAddress: 1,
  pollPeriodS: 60,
  points: [{ id: 'value', name: 'Value', fc: 3, address: 0, type: 'uint16', sim: { model: 'constant', value: 7 } }],
};

test('several simulated devices share one bus; each answers only its own unit', async (t) => {
  const clock = new VirtualClock();
  const line = { baud: 9600, dataBits: 8 as const, parity: 'none' as const, stopBits: 1 as const };
  const [gateway, wire] = createStreamPair({ clock, line });
  const bus = new SharedBus(wire);
  for (const [unit, value] of [[1, 11], [2, 22], [5, 55]]) {
    const device = { ...manifest, points: [{ ...manifest.points[0], sim: { model: 'constant' as const, value } }] };
    new RtuSlave({ stream: bus.attach(), clock, unit, device: new DeviceSimulator({ manifest: device, clock }) });
  }
  t.is(bus.deviceCount, 3);
  const master = new ModbusRtuMaster({ stream: gateway, clock, retries: 0, timeoutMs: 200 });
  t.is((await clock.run(master.readHoldingRegisters(2, 0, 1)))[0], 22);
  t.is((await clock.run(master.readHoldingRegisters(5, 0, 1)))[0], 55);
  t.is((await clock.run(master.readHoldingRegisters(1, 0, 1)))[0], 11);
  await t.throwsAsync(clock.run(master.readHoldingRegisters(3, 0, 1)), { code: 'MODBUS_TIMEOUT' });
});
