/** DL/T 645-2007: decoding the public read reply (0.06 kWh). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DLT645_EXPECTED } from '../workloads/fixtures.js';
import { workloads } from '../workloads/dlt645-decode.js';
import { bundleSize, XsBench } from '../xs-meter.js';
import { equals, hasFields, nodeMetric, xsMetric, type Suite } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MODULE = path.join(here, '../workloads/dlt645-decode.ts');
const K = 1000;

const reading = equals(DLT645_EXPECTED);
const description = hasFields({ address: DLT645_EXPECTED.address, di: DLT645_EXPECTED.di, value: DLT645_EXPECTED.value, unit: DLT645_EXPECTED.unit, checksumOk: true });

export const dlt645Suite: Suite = {
  name: 'dlt645',
  async run(context) {
    const size = await bundleSize(MODULE);
    context.emit({
      metric: 'dlt645.decode.xs_bundle_bytes',
      value: size.bytes,
      unit: 'bytes',
      minified_bytes: size.minifiedBytes,
      note: 'esbuild IIFE of bench/workloads/dlt645-decode.ts (frame, data-ids, bcd, describe, errors, bytes) plus the bench fixture',
    });
    const bench = await XsBench.open(MODULE, 'dlt645');
    try {
      await xsMetric(context, bench, workloads, 'dlt645.decode', K, reading);
      await xsMetric(context, bench, workloads, 'dlt645.describe', K, description);
    } finally {
      await bench.close();
    }
    await nodeMetric(context, workloads, 'dlt645.decode', reading);
    await nodeMetric(context, workloads, 'dlt645.describe', description);
  },
};
