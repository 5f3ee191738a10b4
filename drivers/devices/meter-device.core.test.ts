import { test } from '../../test/kit/core-test.js';
import { createStreamPair } from '../ports/memory-stream.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import { Dlt645MeterSlave } from '../../simulators/meters/dlt645-slave.js';
import { Cjt188MeterSlave } from '../../simulators/meters/cjt188-slave.js';
import { Dlt645Client } from '../dlt645/client.js';
import { Cjt188Client } from '../cjt188/client.js';
import { MeterDevice } from './meter-device.js';
import type { DeviceManifest } from './manifest.js';

const LINE = { baud: 2400, parity: 'even', stopBits: 1 } as const;

function energyMeter(protocol: 'dlt645-2007' | 'dlt645-1997', points: DeviceManifest['points']): DeviceManifest {
  return { id: 'test-meter', name: 'Test meter', vendor: 'Axon', category: 'energy-meter', protocol, line: LINE, defaultAddress: '000000000161', pollPeriodS: 60, points };
}

test('a DL/T 645-2007 meter device reads every point, and a refused DI fails alone', async (t) => {
  const clock = new VirtualClock();
  const [a, b] = createStreamPair({ clock, line: { ...LINE, dataBits: 8 } });
  const values: Record<string, number> = { '00010000': 5000.25, '02010100': 229.9, '02030000': 60.5 };
  new Dlt645MeterSlave({ stream: b, address: '000000000161', version: '2007', values: (di) => values[di] });
  const device = new MeterDevice({
    client: new Dlt645Client({ stream: a, clock, retries: 0 }),
    manifest: energyMeter('dlt645-2007', [
      { id: 'energy', name: 'Energy', di: '00010000' },
      { id: 'voltage_a', name: 'Voltage A', di: '02010100', unit: 'V' },
      { id: 'power', name: 'Power', di: '02030000', max: 50 },
      { id: 'current_a', name: 'Current A', di: '02020100' },
    ]),
  });
  const readings = await clock.run(device.readAll());
  t.deepEqual(readings.energy, { ok: true, value: 5000.25, unit: 'kWh' });
  t.deepEqual(readings.voltage_a, { ok: true, value: 229.9, unit: 'V' });
  t.false(readings.power.ok);
  t.is(readings.power.ok ? '' : readings.power.error.code, 'POINT_OUT_OF_RANGE');
  t.is(readings.current_a.ok ? '' : readings.current_a.error.code, 'DLT645_DEVICE_ERROR');
});

test('a 1997 meter device uses 4-digit DIs', async (t) => {
  const clock = new VirtualClock();
  const [a, b] = createStreamPair({ clock });
  new Dlt645MeterSlave({ stream: b, address: '12', version: '1997', values: (di) => (di === '9010' ? 77.7 : undefined) });
  const device = new MeterDevice({
    client: new Dlt645Client({ stream: a, clock }),
    manifest: energyMeter('dlt645-1997', [{ id: 'energy', name: 'Energy', di: '9010' }]),
    address: '12',
  });
  t.deepEqual((await clock.run(device.readAll())).energy, { ok: true, value: 77.7, unit: 'kWh' });
});

test('a CJ/T 188 water meter device maps 901F fields to points with one request', async (t) => {
  const clock = new VirtualClock();
  const [a, b] = createStreamPair({ clock });
  const slave = new Cjt188MeterSlave({ stream: b, address: '11223344556677', values: (f) => ({ cumulative_flow: 321.5, settlement_flow: 300, valve: 1 })[f] });
  const device = new MeterDevice({
    client: new Cjt188Client({ stream: a, clock }),
    manifest: {
      id: 'water', name: 'Water meter', vendor: 'Axon', category: 'water-meter', protocol: 'cjt188', line: LINE,
      defaultAddress: '11223344556677', pollPeriodS: 3600,
      points: [
        { id: 'volume', name: 'Volume', di: '901F', field: 'cumulative_flow' },
        { id: 'settled', name: 'Settled', di: '901F', field: 'settlement_flow' },
        { id: 'valve_open', name: 'Valve open', di: '901F', field: 'valve_open' },
        { id: 'battery_low', name: 'Battery low', di: '901F', field: 'battery_low' },
      ],
    },
  });
  const readings = await clock.run(device.readAll());
  t.deepEqual(readings.volume, { ok: true, value: 321.5, unit: 'm³' });
  t.deepEqual(readings.settled, { ok: true, value: 300, unit: 'm³' });
  t.deepEqual(readings.valve_open, { ok: true, value: false });
  t.deepEqual(readings.battery_low, { ok: true, value: false });
  t.is(slave.stats.requests, 1);
});

test('manifest mistakes are refused at construction with METER_DEVICE_CONFIG', (t) => {
  const [a] = createStreamPair();
  const clock = new VirtualClock();
  const client = new Dlt645Client({ stream: a, clock });
  t.throws(() => new MeterDevice({ client, manifest: energyMeter('dlt645-2007', [{ id: 'x', name: 'x', di: '9010' }]) }), { code: 'METER_DEVICE_CONFIG' });
  t.throws(() => new MeterDevice({ client, manifest: energyMeter('dlt645-2007', [{ id: 'x', name: 'x', fc: 3, address: 0, type: 'int16' }]) }), { code: 'METER_DEVICE_CONFIG' });
  t.throws(() => new MeterDevice({ client, manifest: { ...energyMeter('dlt645-2007', []), protocol: 'cjt188' } }), { code: 'METER_DEVICE_CONFIG' });
});
