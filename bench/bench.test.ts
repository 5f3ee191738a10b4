/**
 * The benchmarks must measure working code: each workload, run once on Node,
 * decodes exactly the values written out by hand in the fixtures. No timings
 * are asserted here. (`npm run bench` repeats the value check inside XS.)
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex, toHex } from '../drivers/bytes.js';
import { prepareRead } from '../drivers/modbus/pdu.js';
import { checkSource } from '../test/purity/check-runtime-neutral.js';
import {
  BENCH_POINTS,
  CRC_256_EXPECTED,
  DLT645_EXPECTED,
  DLT645_REPLY_HEX,
  FC03X10_EXPECTED_REGISTERS,
  FC03X10_EXPECTED_VALUES,
  FC03X10_REPLY_HEX,
  FC03X10_REQUEST_HEX,
} from './workloads/fixtures.js';
import { baselines, type WorkloadTable } from './workloads/harness.js';
import { workloads as crcWorkloads } from './workloads/crc16.js';
import { decodeDlt645ReadReply, workloads as dltWorkloads } from './workloads/dlt645-decode.js';
import { decodeRegisterReply, slotsFor, workloads as decodeWorkloads } from './workloads/modbus-decode.js';
import { createBenchLink, workloads as transactionWorkloads } from './workloads/modbus-transaction.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Plain data, as the bench compares it. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

async function once(table: WorkloadTable, name: string): Promise<unknown> {
  const workload = table[name];
  workload.setup();
  return plain(await workload.once());
}

test('modbus.fc03x10 decodes the 10 registers and the 8 engineering values', async (t) => {
  t.deepEqual(await once(decodeWorkloads, 'modbus.fc03x10'), { registers: [...FC03X10_EXPECTED_REGISTERS], values: { ...FC03X10_EXPECTED_VALUES } });
});

test('modbus.fc03x10 measures validating code: a corrupted reply or a wrong unit is rejected', (t) => {
  const request = prepareRead(1, 3, 0, 10);
  const slots = slotsFor(BENCH_POINTS, 0);
  const good = fromHex(FC03X10_REPLY_HEX);
  const badCrc = good.slice();
  badCrc[5] ^= 0x01;
  t.throws(() => decodeRegisterReply(request, slots, badCrc), { message: /crc/i });
  t.throws(() => decodeRegisterReply(prepareRead(2, 3, 0, 10), slots, good), { message: /unit/ });
  t.throws(() => decodeRegisterReply(prepareRead(1, 3, 0, 9), slots, good));
  // Leading noise is skipped, as on a real line.
  const noisy = new Uint8Array([0x00, 0xff, ...good]);
  t.deepEqual(plain(decodeRegisterReply(request, slots, noisy).values), { ...FC03X10_EXPECTED_VALUES });
});

test('modbus.fc03x10_transaction returns the registers and sends the expected request', async (t) => {
  t.deepEqual(await once(transactionWorkloads, 'modbus.fc03x10_transaction'), [...FC03X10_EXPECTED_REGISTERS]);
  const { clock, master, responder } = createBenchLink();
  t.deepEqual(Array.from(await clock.run(master.readHoldingRegisters(1, 0, 10))), [...FC03X10_EXPECTED_REGISTERS]);
  t.is(responder.requests.length, 1);
  t.is(toHex(responder.requests[0], ' ').toUpperCase(), FC03X10_REQUEST_HEX);
});

test('modbus.device_readall reads every point of the bench manifest', async (t) => {
  t.deepEqual(await once(transactionWorkloads, 'modbus.device_readall'), { ...FC03X10_EXPECTED_VALUES });
});

test('dlt645.decode reads 0.06 kWh of DI 00010000 from the public reply', async (t) => {
  t.deepEqual(await once(dltWorkloads, 'dlt645.decode'), { ...DLT645_EXPECTED });
  t.is(DLT645_EXPECTED.value, 0.06);
  const corrupted = fromHex(DLT645_REPLY_HEX);
  corrupted[14] ^= 0x01;
  t.throws(() => decodeDlt645ReadReply(corrupted), { message: /checksum/i });
});

test('dlt645.describe names the same reading', async (t) => {
  const description = (await once(dltWorkloads, 'dlt645.describe')) as Record<string, unknown>;
  t.like(description, { address: DLT645_EXPECTED.address, di: DLT645_EXPECTED.di, value: 0.06, unit: 'kWh', checksumOk: true, direction: 'meter-to-master' });
});

test('crc16.256B computes the CRC-16/MODBUS of 00..FF', async (t) => {
  t.is(await once(crcWorkloads, 'crc16.256B'), CRC_256_EXPECTED);
});

test('every workload runs its loop and carries the empty baselines', async (t) => {
  for (const table of [decodeWorkloads, transactionWorkloads, dltWorkloads, crcWorkloads]) {
    for (const name of Object.keys(baselines)) t.is(table[name], baselines[name], `${name} is in every table`);
    t.true(Object.keys(table).length <= 10, 'the XS dispatcher addresses workloads by a single digit');
    for (const [name, workload] of Object.entries(table)) {
      workload.setup();
      t.is(await workload.run(3), 3, name);
    }
  }
});

test('workload modules and the XS dispatcher follow the drivers/ rules (runtime-neutral)', (t) => {
  const dir = path.join(here, 'workloads');
  const files = [...readdirSync(dir).map((name) => path.join(dir, name)), path.join(here, 'xs-dispatch.ts')];
  t.true(files.length >= 6);
  const violations = files.flatMap((file) => checkSource(path.relative(here, file), readFileSync(file, 'utf8')));
  t.deepEqual(violations, []);
});
