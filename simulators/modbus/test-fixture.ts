/** A small manifest covering every table and value shape, shared by the simulator tests. */
import type { DeviceManifest } from '../../drivers/devices/manifest.js';

export const LEVEL_SENSOR: DeviceManifest = {
  id: 'test-level-sensor',
  name: 'Test RS-485 level transmitter',
  vendor: 'Axon tests',
  category: 'water-level',
  protocol: 'modbus',
  line: { baud: 9600, parity: 'none', stopBits: 1 },
  defaultAddress: 1,
  pollPeriodS: 60,
  points: [
    { id: 'slave_address', name: 'Slave address', fc: 3, address: 0, type: 'uint16', role: 'config', sim: { model: 'constant', value: 1 } },
    { id: 'baud_code', name: 'Baud code', fc: 3, address: 1, type: 'uint16', role: 'config', sim: { model: 'constant', value: 3 } },
    { id: 'decimals', name: 'Decimal places', fc: 3, address: 3, type: 'uint16', role: 'config', writable: true, sim: { model: 'constant', value: 1 } },
    {
      id: 'level', name: 'Water level', unit: 'cm', fc: 3, address: 4, type: 'int16', decimalsFrom: 'decimals', role: 'measurement',
      sim: { model: 'storm', dry: 0, peak: 30, startMinutes: 10, riseMinutes: 20, holdMinutes: 10, fallMinutes: 30 },
    },
    { id: 'range_full', name: 'Range full scale', fc: 3, address: 6, type: 'uint16', role: 'config', writable: true, sim: { model: 'constant', value: 500 } },
    { id: 'flood_alarm', name: 'Flood alarm', fc: 3, address: 16, type: 'bool', bit: 0, role: 'alarm', sim: { model: 'alarm', startMinutes: 20, durationMinutes: 10 } },
    { id: 'sensor_fault', name: 'Sensor fault', fc: 3, address: 16, type: 'bool', bit: 3, role: 'status' },
    { id: 'battery_code', name: 'Battery code', fc: 3, address: 16, type: 'bits', bit: 8, bitCount: 4, role: 'status', sim: { model: 'constant', value: 9 } },
    { id: 'voltage', name: 'Supply voltage', unit: 'V', fc: 4, address: 0, type: 'float32', sim: { model: 'sine', mean: 12, amplitude: 0.5, periodMinutes: 60 } },
    { id: 'energy', name: 'Pump energy', unit: 'kWh', fc: 4, address: 12, type: 'uint32', scale: 0.01, sim: { model: 'counter', start: 1234.5, ratePerHour: 6 } },
    { id: 'relay', name: 'Pump relay', fc: 1, address: 0, type: 'bool', writable: true },
    { id: 'door', name: 'Cabinet door', fc: 1, address: 2, type: 'bool', sim: { model: 'constant', value: 1 } },
    { id: 'float_switch', name: 'Float switch', fc: 2, address: 0, type: 'bool', sim: { model: 'alarm', startMinutes: 15, durationMinutes: 20 } },
  ],
};
