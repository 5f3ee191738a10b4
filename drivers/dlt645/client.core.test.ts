import { test } from '../../test/kit/core-test.js';
import { concatBytes, fromHex } from '../bytes.js';
import { createStreamPair, type MemoryStream } from '../ports/memory-stream.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import { Dlt645MeterSlave } from '../../simulators/meters/dlt645-slave.js';
import { Dlt645Client } from './client.js';
import { encodeDlt645Frame } from './frame.js';

const LINE = { baud: 2400, dataBits: 8, parity: 'even', stopBits: 1 } as const;

function bus(version: '2007' | '1997', values: Record<string, number>, address = '218231000114') {
  const clock = new VirtualClock();
  const [master, meter] = createStreamPair({ clock, line: LINE });
  const slave = new Dlt645MeterSlave({ stream: meter, address, version, values: (di) => values[di] });
  const client = new Dlt645Client({ stream: master, clock, timeoutMs: 500, retries: 0 });
  return { clock, master, meter, slave, client };
}

test('client reads 2007 values from the slave meter', async (t) => {
  const { clock, client } = bus('2007', { '00010000': 12345.67, '02010100': 231.4, '02020100': -5.125, '02030000': -1.2345 });
  const energy = await clock.run(client.read('218231000114', '00010000'));
  t.is(energy.value, 12345.67);
  t.is(energy.unit, 'kWh');
  t.is(energy.address, '218231000114');
  t.is((await clock.run(client.read('218231000114', '02010100'))).value, 231.4);
  t.is((await clock.run(client.read('218231000114', '02020100'))).value, -5.125);
  t.is((await clock.run(client.read('218231000114', '02030000'))).value, -1.2345);
  t.is(client.stats.responses, 4);
});

test('client reads 1997 DIs with control 01', async (t) => {
  const { clock, client, slave } = bus('1997', { '9010': 987.65, B611: 220, B621: 12.34 });
  t.is((await clock.run(client.read('218231000114', '9010'))).value, 987.65);
  t.is((await clock.run(client.read('218231000114', 'B611'))).value, 220);
  t.is((await clock.run(client.read('218231000114', 'b621'))).value, 12.34);
  t.is(await clock.run(client.readAddress({ version: '1997' })), '218231000114');
  t.is(slave.stats.replies, 4);
});

test('read address through the wildcard', async (t) => {
  const { clock, client } = bus('2007', {}, '000000000161');
  t.is(await clock.run(client.readAddress()), '000000000161');
});

test('an unknown DI comes back as a named device error, without retries', async (t) => {
  const { clock, client, slave } = bus('2007', {});
  const client2 = client;
  const error = await t.throwsAsync(clock.run(client2.read('218231000114', '02010100', { retries: 3 })), {
    name: 'Dlt645DeviceError',
    code: 'DLT645_DEVICE_ERROR',
  });
  t.deepEqual((error as { errorNames: string[] }).errorNames, ['NO_DATA_REQUESTED']);
  t.is(slave.stats.requests, 1);
});

test('a silent meter times out with DLT645_TIMEOUT after the retries', async (t) => {
  const { clock, client, slave } = bus('2007', { '00010000': 1 });
  const started = clock.now();
  await t.throwsAsync(clock.run(client.read('000000000999', '00010000', { retries: 2 })), { name: 'Dlt645TimeoutError', code: 'DLT645_TIMEOUT' });
  t.is(clock.now() - started, 1500);
  t.is(client.stats.retries, 2);
  t.is(slave.stats.requests, 0);
});

function scriptedMeter(meter: MemoryStream, respond: (request: Uint8Array) => Uint8Array | undefined): void {
  meter.onReadable = (bytes) => {
    const reply = respond(bytes);
    if (reply !== undefined) meter.write(reply);
  };
}

const REPLY = fromHex('68 14 01 00 31 82 21 68 91 08 33 33 34 33 39 33 33 33 F1 16');

test('garbage, echoes and FE before the reply are skipped', async (t) => {
  const { clock, client, meter } = bus('2007', {});
  scriptedMeter(meter, (request) => concatBytes(fromHex('00 FF 68 16 16 68 12'), request, fromHex('FE FE FE FE'), REPLY));
  const reading = await clock.run(client.read('218231000114', '00010000'));
  t.is(reading.value, 0.06);
  t.true(client.stats.discardedBytes > 0);
});

test('a reply split into single bytes is reassembled', async (t) => {
  const { clock, client, meter } = bus('2007', {});
  meter.onReadable = () => {
    for (const byte of REPLY) meter.write(Uint8Array.of(byte));
  };
  t.is((await clock.run(client.read('218231000114', '00010000'))).value, 0.06);
});

test('a bad checksum is reported as Dlt645ChecksumError, and a retry can recover', async (t) => {
  const { clock, client, meter } = bus('2007', {});
  let calls = 0;
  scriptedMeter(meter, () => {
    calls++;
    const bad = REPLY.slice();
    if (calls === 1 || calls === 2) bad[bad.length - 2] ^= 0xff;
    return bad;
  });
  await t.throwsAsync(clock.run(client.read('218231000114', '00010000')), { name: 'Dlt645ChecksumError', code: 'DLT645_CHECKSUM' });
  t.is((await clock.run(client.read('218231000114', '00010000', { retries: 1 }))).value, 0.06);
  t.is(calls, 3);
  t.is(client.stats.errors.DLT645_CHECKSUM, 2);
});

test('a reply from another meter is not taken as the answer', async (t) => {
  const { clock, client, meter } = bus('2007', {});
  scriptedMeter(meter, () => encodeDlt645Frame({ address: '000000000001', control: 0x91, data: fromHex('00 00 01 00 06 00 00 00') }));
  await t.throwsAsync(clock.run(client.read('218231000114', '00010000')), { code: 'DLT645_WRONG_ADDRESS' });
});

test('requests from concurrent callers are serialised on the bus', async (t) => {
  const { clock, client, slave } = bus('2007', { '02010100': 230, '02010200': 231, '02010300': 232 });
  const all = Promise.all(['02010100', '02010200', '02010300'].map((di) => client.read('218231000114', di)));
  const readings = await clock.run(all);
  t.deepEqual(readings.map((r) => r.value), [230, 231, 232]);
  t.is(slave.stats.replies, 3);
});

test('invalid requests are refused before anything is sent', async (t) => {
  const { client } = bus('2007', {});
  await t.throwsAsync(() => client.read('12345678901234', '00010000'), { code: 'DLT645_BAD_REQUEST' });
  await t.throwsAsync(() => client.read('1', '0001000'), { code: 'DLT645_BAD_REQUEST' });
  await t.throwsAsync(() => client.read('1', '04000101'), { code: 'DLT645_BAD_REQUEST', message: /no built-in format/ });
  t.is(client.stats.requests, 0);
});
