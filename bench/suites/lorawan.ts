/**
 * LoRaWAN uplink framing cost: `lorawan.frame51.xs_compute` (portable AES, as
 * xsnap and a bare XS build run it) and the same frame with AES taken out
 * (`lorawan.frame51_stub_cipher.xs_compute`), since on an ESP32 Moddable's
 * AES is native C and costs the script almost nothing.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FRAME51_EXPECTED_HEX, frame51Blocks, workloads } from '../workloads/lorawan-frame.js';
import { XsBench } from '../xs-meter.js';
import { equals, nodeMetric, xsMetric, type Metric, type Suite } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MODULE = path.join(here, '../workloads/lorawan-frame.ts');
const K = 50;

const frame = equals({ bytes: 64, hex: FRAME51_EXPECTED_HEX });
const size64 = equals({ bytes: 64 });
const block = equals({ bytes: 16 });

export const lorawanSuite: Suite = {
  name: 'lorawan',
  async run(context) {
    const figures = new Map<string, number>();
    const emit = context.emit;
    // Keep the XS figures to derive the AES-subtracted one.
    const recording = { ...context, emit: (m: Metric) => { figures.set(m.metric, m.value); emit(m); } };
    const bench = await XsBench.open(MODULE, 'lorawan');
    try {
      await xsMetric(recording, bench, workloads, 'lorawan.frame51', K, frame);
      await xsMetric(recording, bench, workloads, 'lorawan.frame51_stub_cipher', K, size64);
      await xsMetric(recording, bench, workloads, 'lorawan.aes_block', K * 4, block);
    } finally {
      await bench.close();
    }
    const blocks = frame51Blocks();
    const full = figures.get('lorawan.frame51.xs_compute') ?? NaN;
    const aes = figures.get('lorawan.aes_block.xs_compute') ?? NaN;
    context.emit({
      metric: 'lorawan.frame51.xs_compute_without_aes',
      value: Math.round((full - blocks * aes) * 100) / 100,
      unit: 'compute/op',
      aes_blocks_per_frame: blocks,
      aes_block_compute: aes,
      note: `lorawan.frame51.xs_compute minus ${blocks} × lorawan.aes_block.xs_compute: the script cost of a frame when AES is native (ESP32); compare lorawan.frame51_stub_cipher.xs_compute`,
    });
    await nodeMetric(context, workloads, 'lorawan.frame51', frame);
    await nodeMetric(context, workloads, 'lorawan.frame51_stub_cipher', size64);
  },
};
