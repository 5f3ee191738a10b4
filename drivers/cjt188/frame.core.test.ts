import { test } from '../../test/kit/core-test.js';
import { concatBytes, fromHex, toHex } from '../bytes.js';
import { describeCjt188Frame } from './describe.js';
import { cjt188ReadRequest, decodeCjt188Frame, encodeCjt188Frame } from './frame.js';
import { decodeCjt188Record, encodeCjt188Record, recordLength } from './record.js';

const DESIGN_REQUEST = '68 10 12 00 00 00 00 00 00 01 03 90 1F 00 3D 16';

test('the read request of DESIGN.md encodes byte for byte, checksum 3D included', (t) => {
  const bytes = encodeCjt188Frame(cjt188ReadRequest(0x10, '00000000000012', '901F', 0));
  t.is(toHex(bytes, ' ').toUpperCase(), DESIGN_REQUEST);
  const back = decodeCjt188Frame(fromHex('FE FE ' + DESIGN_REQUEST));
  t.is(back.address, '00000000000012');
  t.is(back.meterType, 0x10);
  const described = describeCjt188Frame(fromHex(DESIGN_REQUEST));
  t.is(described.di, '901F');
  t.is(described.ser, 0);
  t.true(described.checksumOk);
  t.is(described.function, 'read data');
});

// Reply record: 1234.56 m³ now, 1200.00 m³ at settlement, 2024-05-17 13:45:30, valve closed, battery low.
const RECORD = '56 34 12 00 2C 00 00 12 00 2C 30 45 13 17 05 24 20 05 00';

function reply(diBytes: string): Uint8Array {
  return encodeCjt188Frame({ meterType: 0x10, address: '00000000000012', control: 0x81, data: fromHex(`${diBytes} 07 ${RECORD}`) });
}

test('a 901F reply decodes identically with DI sent as 90 1F or 1F 90', (t) => {
  const a = describeCjt188Frame(reply('90 1F'));
  const b = describeCjt188Frame(reply('1F 90'));
  t.is(a.di, '901F');
  t.is(b.di, '901F');
  t.is(a.diOrder, 'as-written');
  t.is(b.diOrder, 'swapped');
  t.deepEqual(a.values, b.values);
  t.deepEqual(a.values?.cumulative_flow, { value: 1234.56, unit: 'm³', unitCode: 0x2c });
  t.deepEqual(a.values?.settlement_flow, { value: 1200, unit: 'm³', unitCode: 0x2c });
  t.is(a.time, '2024-05-17T13:45:30');
  t.is(b.time, a.time);
  t.deepEqual(a.status, { raw: 0x0005, valve: 'closed', batteryLow: true });
  t.deepEqual(b.status, a.status);
  t.is(a.ser, 7);
  t.true(a.checksumOk && b.checksumOk);
});

test('a meter that sends the time in reading order is still understood', (t) => {
  const record = fromHex(RECORD);
  record.set(fromHex('20 24 05 17 13 45 30'), 10);
  const decoded = decodeCjt188Record(0x10, record);
  t.is(decoded.time, '2024-05-17T13:45:30');
  t.is(decoded.timeOrder, 'reading-order');
  t.is(decodeCjt188Record(0x10, fromHex(RECORD)).timeOrder, 'low-byte-first');
});

test('a heat meter record round-trips through encode and decode', (t) => {
  const values: Record<string, number> = {
    settlement_heat: 100.5, current_heat: 123.45, heat_power: 12.34, flow_rate: 1.2345, cumulative_flow: 999.99,
    supply_temperature: 65.43, return_temperature: 45.21, working_hours: 12345, valve: 0,
  };
  const time = { year: 2025, month: 12, day: 31, hour: 23, minute: 59, second: 58 };
  const bytes = encodeCjt188Record(0x20, { value: (f) => values[f], time });
  t.is(bytes.length, recordLength(0x20));
  const decoded = decodeCjt188Record(0x20, bytes);
  for (const [name, value] of Object.entries(values)) if (name !== 'valve') t.is(decoded.values[name].value, value, name);
  t.is(decoded.values.flow_rate.unit, 'm³/h');
  t.is(decoded.values.supply_temperature.unit, '°C');
  t.is(decoded.time, '2025-12-31T23:59:58');
  t.is(decoded.status.valve, 'open');
});

test('abnormal replies, short records and bad checksums are reported, not thrown', (t) => {
  const abnormal = describeCjt188Frame(encodeCjt188Frame({ meterType: 0x10, address: '12', control: 0xc1, data: fromHex('07 03 00') }));
  t.true(abnormal.abnormal);
  t.deepEqual(abnormal.error, { status: '0003', valve: 'abnormal', batteryLow: false });
  const short = describeCjt188Frame(encodeCjt188Frame({ meterType: 0x10, address: '12', control: 0x81, data: fromHex('90 1F 00 01 02') }));
  t.truthy(short.notes?.some((n) => /shorter/.test(n)));
  const bad = reply('90 1F');
  bad[bad.length - 2] ^= 0x10;
  t.false(describeCjt188Frame(bad).checksumOk);
  t.throws(() => decodeCjt188Frame(bad), { name: 'Cjt188ChecksumError', code: 'CJT188_CHECKSUM' });
  t.throws(() => decodeCjt188Frame(concatBytes(fromHex('01 02'), bad)), { code: 'CJT188_MALFORMED' });
  t.throws(() => decodeCjt188Record(0x10, fromHex('5A 34 12 00 2C 00 00 12 00 2C 30 45 13 17 05 24 20 05 00')), { code: 'CJT188_BAD_VALUE' });
});
