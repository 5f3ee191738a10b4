/** CRC-16/MODBUS throughput on a 256-byte buffer. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRC_256_EXPECTED } from '../workloads/fixtures.js';
import { workloads } from '../workloads/crc16.js';
import { XsBench } from '../xs-meter.js';
import { equals, nodeMetric, xsMetric, type Suite } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MODULE = path.join(here, '../workloads/crc16.ts');
const K = 200;

const crc = equals(CRC_256_EXPECTED);

export const crc16Suite: Suite = {
  name: 'crc16',
  async run(context) {
    await nodeMetric(context, workloads, 'crc16.256B', crc);
    const bench = await XsBench.open(MODULE, 'crc16');
    try {
      await xsMetric(context, bench, workloads, 'crc16.256B', K, crc);
    } finally {
      await bench.close();
    }
  },
};
