import { test } from '../../test/kit/core-test.js';
import { emptyStats, type ModbusClient, type RequestOptions } from '../modbus/client.js';
import { ModbusExceptionError, ModbusTimeoutError } from '../modbus/errors.js';
import { encodeRaw } from '../modbus/values.js';
import type { DeviceManifest, ModbusPoint } from './manifest.js';
import { ModbusDevice } from './modbus-device.js';
import { OutOfRangeError } from './reading.js';

/** An in-memory device: four tables, a call log, and failures to inject. */
class FakeClient implements ModbusClient {
  readonly stats = emptyStats();
  readonly coils: boolean[] = new Array<boolean>(64).fill(false);
  readonly inputs: boolean[] = new Array<boolean>(64).fill(false);
  readonly holding = new Uint16Array(512);
  readonly input = new Uint16Array(512);
  readonly calls: string[] = [];
  readonly options: Array<RequestOptions | undefined> = [];
  /** Requests ("fc:address") that time out while listed. */
  readonly failing = new Set<string>();

  #check(unit: number, fc: number, address: number, count?: number, options?: RequestOptions): void {
    this.calls.push(`${fc}:${address}${count === undefined ? '' : '+' + count}`);
    this.options.push(options);
    if (this.failing.has(`${fc}:${address}`)) throw new ModbusTimeoutError({ unit, fc, address, count }, options?.timeoutMs ?? 1000);
  }
  async readCoils(unit: number, address: number, count: number, options?: RequestOptions) {
    this.#check(unit, 1, address, count, options);
    return this.coils.slice(address, address + count);
  }
  async readDiscreteInputs(unit: number, address: number, count: number, options?: RequestOptions) {
    this.#check(unit, 2, address, count, options);
    return this.inputs.slice(address, address + count);
  }
  async readHoldingRegisters(unit: number, address: number, count: number, options?: RequestOptions) {
    this.#check(unit, 3, address, count, options);
    return this.holding.slice(address, address + count);
  }
  async readInputRegisters(unit: number, address: number, count: number, options?: RequestOptions) {
    this.#check(unit, 4, address, count, options);
    if (address + count > 300) throw new ModbusExceptionError({ unit, fc: 4, address, count }, 2);
    return this.input.slice(address, address + count);
  }
  async writeSingleCoil(unit: number, address: number, value: boolean, options?: RequestOptions) {
    this.#check(unit, 5, address, undefined, options);
    this.coils[address] = value;
  }
  async writeSingleRegister(unit: number, address: number, value: number, options?: RequestOptions) {
    this.#check(unit, 6, address, undefined, options);
    this.holding[address] = value;
  }
  async writeMultipleCoils(unit: number, address: number, values: readonly boolean[], options?: RequestOptions) {
    this.#check(unit, 15, address, values.length, options);
    values.forEach((v, i) => (this.coils[address + i] = v));
  }
  async writeMultipleRegisters(unit: number, address: number, values: ArrayLike<number>, options?: RequestOptions) {
    this.#check(unit, 16, address, values.length, options);
    this.holding.set(Array.from(values), address);
  }
  close(): void {}
}

function manifest(points: ModbusPoint[], extra: Partial<DeviceManifest> = {}): DeviceManifest {
  return {
    id: 'test-device',
    name: 'Test device',
    vendor: 'Test',
    category: 'other',
    protocol: 'modbus',
    line: { baud: 9600, parity: 'none', stopBits: 1 },
    defaultAddress: 1,
    pollPeriodS: 60,
    points,
    ...extra,
  };
}

const LEVEL_POINTS: ModbusPoint[] = [
  { id: 'slave_address', name: 'Slave address', fc: 3, address: 0, type: 'uint16', role: 'config', writable: true },
  { id: 'decimals', name: 'Decimal places', fc: 3, address: 3, type: 'uint16', role: 'config', min: 0, max: 3, writable: true },
  { id: 'level', name: 'Level', fc: 3, address: 4, type: 'int16', unit: 'cm', decimalsFrom: 'decimals', min: -10, max: 500, writable: true },
  { id: 'range_zero', name: 'Range zero', fc: 3, address: 5, type: 'int16', decimalsFrom: 'decimals' },
  { id: 'range_full', name: 'Range full', fc: 3, address: 6, type: 'int16', decimalsFrom: 'decimals' },
];

function levelTransmitter(): { client: FakeClient; device: ModbusDevice } {
  const client = new FakeClient();
  client.holding.set([1, 3, 1, 1, 123, 0, 5000]);
  const device = new ModbusDevice({ client, manifest: manifest(LEVEL_POINTS), unit: 1 });
  return { client, device };
}

test('reads a level transmitter: decimal places from its config register, one request for the measurements', async (t) => {
  const { client, device } = levelTransmitter();
  t.deepEqual(device.requests, [{ fc: 3, address: 4, count: 3, points: ['level', 'range_zero', 'range_full'] }]);
  const readings = await device.readAll();
  t.deepEqual(readings, {
    level: { ok: true, value: 12.3, unit: 'cm' },
    range_zero: { ok: true, value: 0 },
    range_full: { ok: true, value: 500 },
  });
  t.deepEqual(client.calls, ['3:0+4', '3:4+3']);
});

test('config points are read once and cached', async (t) => {
  const { client, device } = levelTransmitter();
  await device.readAll();
  client.holding[3] = 2; // reconfigured behind our back: the cache does not notice
  const second = await device.readAll();
  t.deepEqual(second.level, { ok: true, value: 12.3, unit: 'cm' });
  t.deepEqual(client.calls, ['3:0+4', '3:4+3', '3:4+3']);
  t.deepEqual(await device.refreshConfig(), { slave_address: { ok: true, value: 1 }, decimals: { ok: true, value: 2 } });
  t.deepEqual((await device.readAll()).level, { ok: true, value: 1.23, unit: 'cm' });
});

test('a failed request drops the config cache so it is re-read on the next poll', async (t) => {
  const { client, device } = levelTransmitter();
  await device.readAll();
  client.failing.add('3:4');
  const failed = await device.readAll();
  t.is(failed.level.ok, false);
  t.is(failed.level.ok === false && failed.level.error.code, 'MODBUS_TIMEOUT');
  t.is(device.config, undefined);
  client.failing.delete('3:4');
  client.holding[3] = 0;
  t.deepEqual((await device.readAll()).level, { ok: true, value: 123, unit: 'cm' });
  t.deepEqual(client.calls, ['3:0+4', '3:4+3', '3:4+3', '3:0+4', '3:4+3']);
});

test('when the config read fails, points that need it fail with POINT_CONFIG_UNAVAILABLE and others still read', async (t) => {
  const client = new FakeClient();
  client.holding.set([1, 3, 1, 1, 123, 0, 5000]);
  client.holding[100] = 42;
  const points: ModbusPoint[] = [...LEVEL_POINTS, { id: 'other', name: 'Other', fc: 3, address: 100, type: 'uint16' }];
  const device = new ModbusDevice({ client, manifest: manifest(points), unit: 1 });
  client.failing.add('3:0');
  const readings = await device.readAll();
  t.is(readings.level.ok === false && readings.level.error.code, 'POINT_CONFIG_UNAVAILABLE');
  t.deepEqual(readings.other, { ok: true, value: 42 });
  t.is(device.config, undefined);
});

test('a decimal-places register holding nonsense is reported, not applied', async (t) => {
  const { client, device } = levelTransmitter();
  client.holding[3] = 7; // outside the config point's own 0..3 range
  const readings = await device.readAll();
  t.is(readings.level.ok === false && readings.level.error.code, 'POINT_CONFIG_UNAVAILABLE');
});

test('a failed request marks only its own points; the other requests still run', async (t) => {
  const client = new FakeClient();
  client.input.set(encodeRaw(230.5, 'float32'), 0);
  const points: ModbusPoint[] = [
    { id: 'voltage', name: 'Voltage', fc: 4, address: 0, type: 'float32', unit: 'V' },
    { id: 'energy', name: 'Energy', fc: 4, address: 0x156, type: 'float32', unit: 'kWh' },
    { id: 'alarm', name: 'Alarm', fc: 2, address: 3, type: 'bool' },
  ];
  client.inputs[3] = true;
  const device = new ModbusDevice({ client, manifest: manifest(points, { timeoutMs: 300 }), unit: 7, retries: 2 });
  const readings = await device.readAll();
  t.deepEqual(Object.keys(readings), ['voltage', 'energy', 'alarm'], 'readings come in manifest order');
  t.deepEqual(readings.voltage, { ok: true, value: 230.5, unit: 'V' });
  t.deepEqual(readings.alarm, { ok: true, value: true });
  t.is(readings.energy.ok, false);
  const error = readings.energy.ok === false ? readings.energy.error : undefined;
  t.truthy(error instanceof ModbusExceptionError);
  t.deepEqual(client.options[0], { timeoutMs: 300, retries: 2 }, 'manifest timeout and option retries reach the client');
});

test('readings outside min/max are reported as POINT_OUT_OF_RANGE', async (t) => {
  const { client, device } = levelTransmitter();
  client.holding[4] = 6000; // 600.0 cm, above max 500
  const readings = await device.readAll();
  const reading = readings.level;
  t.is(reading.ok, false);
  if (reading.ok) return;
  t.is(reading.error.code, 'POINT_OUT_OF_RANGE');
  t.truthy(reading.error instanceof OutOfRangeError);
  t.is((reading.error as OutOfRangeError).value, 600);
  t.truthy(/level/.test(reading.error.message) && /-10\.\.500 cm/.test(reading.error.message));
});

test('a float register holding NaN is reported as out of range', async (t) => {
  const client = new FakeClient();
  client.input.set(encodeRaw(Number.NaN, 'float32'), 0);
  const device = new ModbusDevice({ client, manifest: manifest([{ id: 'x', name: 'x', fc: 4, address: 0, type: 'float32' }]), unit: 1 });
  const readings = await device.readAll();
  t.is(readings.x.ok === false && readings.x.error.code, 'POINT_OUT_OF_RANGE');
});

test('status bits and coils decode from the shared request', async (t) => {
  const client = new FakeClient();
  client.holding[10] = 0b0000_0000_0101_0001;
  client.coils[2] = true;
  const points: ModbusPoint[] = [
    { id: 'smoke', name: 'Smoke', fc: 3, address: 10, type: 'bool', bit: 0, role: 'alarm' },
    { id: 'fault', name: 'Fault', fc: 3, address: 10, type: 'bool', bit: 1, role: 'status' },
    { id: 'mode', name: 'Mode', fc: 3, address: 10, type: 'bits', bit: 4, bitCount: 3 },
    { id: 'relay', name: 'Relay', fc: 1, address: 2, type: 'bool', writable: true },
  ];
  const device = new ModbusDevice({ client, manifest: manifest(points), unit: 1 });
  t.deepEqual(await device.readAll(), {
    smoke: { ok: true, value: true },
    fault: { ok: true, value: false },
    mode: { ok: true, value: 5 },
    relay: { ok: true, value: true },
  });
  t.deepEqual(client.calls, ['1:2+1', '3:10+1']);
});

test('write uses FC05 for coils, FC06 for one register, FC16 for more, and read-modify-write for bits', async (t) => {
  const client = new FakeClient();
  client.holding[10] = 0x00f0;
  const points: ModbusPoint[] = [
    { id: 'relay', name: 'Relay', fc: 1, address: 2, type: 'bool', writable: true },
    { id: 'setpoint', name: 'Setpoint', fc: 3, address: 20, type: 'int16', scale: 0.1, writable: true },
    { id: 'limit', name: 'Limit', fc: 3, address: 30, type: 'float32', order: 'CDAB', writable: true },
    { id: 'enable', name: 'Enable', fc: 3, address: 10, type: 'bool', bit: 0, writable: true },
    { id: 'measured', name: 'Measured', fc: 4, address: 0, type: 'int16', writable: true },
  ];
  const device = new ModbusDevice({ client, manifest: manifest(points), unit: 1 });
  await device.write('relay', true);
  await device.write('setpoint', -12.5);
  await device.write('limit', 1);
  await device.write('enable', true);
  t.deepEqual(client.calls, ['5:2', '6:20', '16:30+2', '3:10+1', '6:10']);
  t.is(client.coils[2], true);
  t.is(client.holding[20], 0xff83);
  t.deepEqual(Array.from(client.holding.slice(30, 32)), [0x0000, 0x3f80]);
  t.is(client.holding[10], 0x00f1, 'other bits of the register are kept');
  await t.throwsAsync(() => device.write('measured', 1), { code: 'POINT_NOT_WRITABLE' });
  await t.throwsAsync(() => device.write('nope', 1), { code: 'POINT_UNKNOWN' });
});

test('write applies the device decimal places, checks min/max, and a config write drops the cache', async (t) => {
  const { client, device } = levelTransmitter();
  await device.write('level', 45.6);
  t.is(client.holding[4], 456);
  await t.throwsAsync(() => device.write('level', 900), { code: 'POINT_OUT_OF_RANGE' });
  t.truthy(device.config);
  await device.write('decimals', 2);
  t.is(device.config, undefined);
  t.deepEqual((await device.readAll()).level, { ok: true, value: 4.56, unit: 'cm' });
});

test('the constructor refuses meter manifests, bad unit ids and decimalsFrom pointing at a non-config point', (t) => {
  const client = new FakeClient();
  t.throws(() => new ModbusDevice({ client, manifest: manifest(LEVEL_POINTS, { protocol: 'dlt645-2007' }), unit: 1 }), { code: 'DEVICE_PROTOCOL' });
  t.throws(() => new ModbusDevice({ client, manifest: manifest(LEVEL_POINTS), unit: 0 }), { code: 'DEVICE_BAD_UNIT' });
  const bad: ModbusPoint[] = [
    { id: 'd', name: 'd', fc: 3, address: 0, type: 'uint16' },
    { id: 'v', name: 'v', fc: 3, address: 1, type: 'int16', decimalsFrom: 'd' },
  ];
  t.throws(() => new ModbusDevice({ client, manifest: manifest(bad), unit: 1 }), { code: 'DEVICE_CONFIG' });
});

test('config points may take decimal places from the decimal-places config register read in the same pass', async (t) => {
  const client = new FakeClient();
  client.holding.set([1, 3, 1, 2, 1234, 0, 16000]);
  const points: ModbusPoint[] = [
    { id: 'range_full', name: 'Range full', fc: 3, address: 6, type: 'int16', role: 'config', decimalsFrom: 'decimals' },
    { id: 'decimals', name: 'Decimal places', fc: 3, address: 3, type: 'uint16', role: 'config' },
    { id: 'level', name: 'Level', fc: 3, address: 4, type: 'int16', decimalsFrom: 'decimals' },
  ];
  const device = new ModbusDevice({ client, manifest: manifest(points), unit: 1 });
  t.deepEqual(device.configRequests, [{ fc: 3, address: 3, count: 4, points: ['decimals', 'range_full'] }]);
  t.deepEqual(await device.readAll(), { level: { ok: true, value: 12.34 } });
  t.deepEqual(device.config, { decimals: { ok: true, value: 2 }, range_full: { ok: true, value: 160 } });
});
