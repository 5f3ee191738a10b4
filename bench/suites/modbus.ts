/** Modbus RTU: reply decoding (the headline figure), full transactions, a device poll. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FC03X10_EXPECTED_REGISTERS, FC03X10_EXPECTED_VALUES } from '../workloads/fixtures.js';
import { workloads as decodeWorkloads } from '../workloads/modbus-decode.js';
import { workloads as transactionWorkloads } from '../workloads/modbus-transaction.js';
import { bundleSize, XsBench } from '../xs-meter.js';
import { equals, nodeMetric, xsMetric, type Suite, type SuiteContext } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DECODE_MODULE = path.join(here, '../workloads/modbus-decode.ts');
const TRANSACTION_MODULE = path.join(here, '../workloads/modbus-transaction.ts');

const DECODE_K = 1000;
const TRANSACTION_K = 100;

const decoded = equals({ registers: FC03X10_EXPECTED_REGISTERS, values: FC03X10_EXPECTED_VALUES });
const registers = equals(FC03X10_EXPECTED_REGISTERS);
const readings = equals(FC03X10_EXPECTED_VALUES);

async function heapMetric(context: SuiteContext, bench: XsBench, metric: string, what: string): Promise<void> {
  const heap = await bench.heap();
  context.emit({
    metric,
    value: heap.afterRun - heap.afterEvaluate,
    unit: 'slots',
    engine: 'xs (@agoric/xsnap)',
    after_evaluate: heap.afterEvaluate,
    after_run: heap.afterRun,
    note: `live XS heap slots retained by ${what} (after setup + measured runs + gc, minus after evaluating the bundle + gc); after_* are absolute and include xsnap's own globals`,
  });
}

export const modbusSuite: Suite = {
  name: 'modbus',
  async run(context) {
    const size = await bundleSize(DECODE_MODULE);
    context.emit({
      metric: 'modbus.fc03x10.xs_bundle_bytes',
      value: size.bytes,
      unit: 'bytes',
      minified_bytes: size.minifiedBytes,
      note: 'esbuild IIFE (es2022, neutral) of bench/workloads/modbus-decode.ts as evaluated in XS: the core code it measures (pdu, rtu-framing, crc16, values, errors, bytes) plus the bench fixture',
    });

    const decode = await XsBench.open(DECODE_MODULE, 'modbus-decode');
    try {
      await xsMetric(context, decode, decodeWorkloads, 'modbus.fc03x10', DECODE_K, decoded);
      await heapMetric(context, decode, 'modbus.fc03x10.xs_heap_slots', 'the decode workload');
    } finally {
      await decode.close();
    }
    await nodeMetric(context, decodeWorkloads, 'modbus.fc03x10', decoded);

    const link = await XsBench.open(TRANSACTION_MODULE, 'modbus-transaction');
    try {
      await xsMetric(context, link, transactionWorkloads, 'modbus.fc03x10_transaction', TRANSACTION_K, registers);
      await heapMetric(context, link, 'modbus.fc03x10_transaction.xs_heap_slots', 'a master, virtual clock, stream pair and scripted device');
      await xsMetric(context, link, transactionWorkloads, 'modbus.device_readall', TRANSACTION_K, readings);
    } finally {
      await link.close();
    }
    await nodeMetric(context, transactionWorkloads, 'modbus.fc03x10_transaction', registers);
    await nodeMetric(context, transactionWorkloads, 'modbus.device_readall', readings);
  },
};
