import { test } from '../../test/kit/core-test.js';
import { concatBytes, fromHex } from '../bytes.js';
import { createStreamPair } from '../ports/memory-stream.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import { Cjt188MeterSlave } from '../../simulators/meters/cjt188-slave.js';
import { Cjt188Client } from './client.js';
import { encodeCjt188Frame, inspectCjt188Frame } from './frame.js';

const LINE = { baud: 2400, dataBits: 8, parity: 'even', stopBits: 1 } as const;

function bus(values: Record<string, number>, options: { meterType?: number; diOrder?: 'as-written' | 'swapped' } = {}) {
  // 2024-05-17 05:45:30 UTC = 13:45:30 in China.
  const clock = new VirtualClock({ unixEpochMs: Date.UTC(2024, 4, 17, 5, 45, 30) });
  const [master, meter] = createStreamPair({ clock, line: LINE });
  const slave = new Cjt188MeterSlave({ stream: meter, address: '20240001234567', meterType: options.meterType, values: (f) => values[f], clock });
  const client = new Cjt188Client({ stream: master, clock, timeoutMs: 800, retries: 0, diOrder: options.diOrder });
  return { clock, master, meter, slave, client };
}

test('client reads the 901F record from the slave water meter', async (t) => {
  const { clock, client } = bus({ cumulative_flow: 1234.56, settlement_flow: 1200, valve: 1, battery_low: 1 });
  const reading = await clock.run(client.readData('20240001234567'));
  t.is(reading.address, '20240001234567');
  t.is(reading.record?.values.cumulative_flow.value, 1234.56);
  t.is(reading.record?.values.cumulative_flow.unit, 'm³');
  t.is(reading.record?.values.settlement_flow.value, 1200);
  t.is(reading.record?.time, '2024-05-17T13:45:30');
  t.is(reading.record?.status.valve, 'closed');
  t.true(reading.record?.status.batteryLow ?? false);
  t.is(reading.diOrder, 'as-written');
});

test('a master sending 1F 90 gets its answer in the same order', async (t) => {
  const { clock, client } = bus({ cumulative_flow: 7.5 }, { diOrder: 'swapped' });
  const reading = await clock.run(client.readData('20240001234567'));
  t.is(reading.diOrder, 'swapped');
  t.is(reading.record?.values.cumulative_flow.value, 7.5);
});

test('heat meters answer with the heat record', async (t) => {
  const { clock, client } = bus({ current_heat: 42.42, supply_temperature: 70.5, return_temperature: 50.25 }, { meterType: 0x20 });
  const reading = await clock.run(client.readData('20240001234567', { meterType: 0x20 }));
  t.is(reading.record?.values.current_heat.value, 42.42);
  t.is(reading.record?.values.current_heat.unit, 'kWh');
  t.is(reading.record?.values.return_temperature.value, 50.25);
});

test('read address through the wildcard', async (t) => {
  const { clock, client } = bus({});
  t.is(await clock.run(client.readAddress()), '20240001234567');
});

test('an unsupported DI is a Cjt188DeviceError; a wrong meter type or address is silence', async (t) => {
  const { clock, client, slave } = bus({});
  await t.throwsAsync(clock.run(client.readData('20240001234567', { di: 'D120' })), { name: 'Cjt188DeviceError', code: 'CJT188_DEVICE_ERROR' });
  await t.throwsAsync(clock.run(client.readData('20240001234567', { meterType: 0x30 })), { name: 'Cjt188TimeoutError', code: 'CJT188_TIMEOUT' });
  await t.throwsAsync(clock.run(client.readData('20240001234568')), { code: 'CJT188_TIMEOUT' });
  t.is(slave.stats.requests, 1);
});

test('garbage before the reply is skipped and a bad checksum is named', async (t) => {
  const { clock, client, meter } = bus({});
  const good = encodeCjt188Frame({ meterType: 0x10, address: '20240001234567', control: 0x81, data: fromHex('1F 90 00 00 01 00 00 2C 00 00 00 00 2C 00 00 00 01 01 00 20 00 00') });
  let corrupt = false;
  meter.onReadable = (bytes) => {
    const ser = inspectCjt188Frame(bytes).frame.data[2];
    const reply = good.slice();
    reply[13] = ser;
    reply[reply.length - 2] = (reply[reply.length - 2] + ser + (corrupt ? 1 : 0)) & 0xff;
    meter.write(concatBytes(fromHex('68 68 00 16 FE FE'), reply));
  };
  const reading = await clock.run(client.readData('20240001234567'));
  t.is(reading.record?.values.cumulative_flow.value, 1);
  t.is(reading.record?.time, '2000-01-01T00:00:00');
  corrupt = true;
  await t.throwsAsync(clock.run(client.readData('20240001234567')), { name: 'Cjt188ChecksumError', code: 'CJT188_CHECKSUM' });
});
