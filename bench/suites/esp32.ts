/**
 * The ESP32 firmware's XS heap, measured on Moddable's own engine: the `-p lin`
 * build of `npm run esp32:sim` (firmware/esp32/tools/esp32-sim.ts) runs the
 * firmware against the device and modem simulators for two virtual hours
 * (polls, the smoke alarm at minutes 2–4 with its alert, batch flushes every
 * 5 min, an hourly status), once on the ESP32 demo site and once on that site
 * grown to 32 devices (tools/scaled-site.ts). The figure is the firmware's
 * live XS heap at its largest: sampled after a full collection every 10
 * virtual seconds (sim/sim-main.ts), above what is in use before boot, with
 * slots at the ESP32's 16 bytes (esp32LiveBytes). The littlefs files and the
 * trace lines are kept out of the XS heap in that build, and the harness only
 * counts, so the figure is the firmware's (plus the simulators' work of the
 * moment). Needs the Moddable SDK; without one the suite says so and emits
 * nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUILD_DIR, DEFAULT_SITE } from '../../firmware/esp32/tools/esp32-build.js';
import { esp32Bytes, esp32HeapBytes, esp32LiveBytes, problems, simulate } from '../../firmware/esp32/tools/esp32-sim.js';
import { resolveModdable, SdkUnavailableError } from '../../firmware/esp32/tools/moddable-sdk.js';
import { scaledSite } from '../../firmware/esp32/tools/scaled-site.js';
import type { Suite, SuiteContext } from './common.js';

const HOURS = 2;
/** The goal for a 32-device site (issue 13). */
export const HEAP_GOAL_32_BYTES = 64 * 1024;

async function measure(context: SuiteContext, metric: string, site: string, devices: number): Promise<number> {
  const result = await simulate({ hours: HOURS, site });
  const failed = problems(result.summary);
  if (failed.length > 0) throw new Error(`${metric}: the simulated run failed (${failed.join('; ')}), so its heap figure means nothing`);
  const { heap, heapBase, afterBoot, livePeak, marks } = result;
  const value = esp32LiveBytes(livePeak, heapBase);
  const begin = marks['modules-begin'];
  const end = marks['modules-end'];
  context.emit({
    metric,
    value,
    unit: 'bytes',
    devices,
    virtual_hours: HOURS,
    polls: result.summary.stats?.polls,
    live_chunk_bytes: livePeak.chunkBytes - heapBase.chunkBytes,
    live_slots: livePeak.slots - heapBase.slots,
    with_garbage_peak_bytes: esp32HeapBytes(heap, heapBase),
    stack_peak_slots: heap.stackPeakSlots - heapBase.stackPeakSlots,
    live_after_boot_bytes: esp32Bytes(afterBoot.chunkBytes - heapBase.chunkBytes, afterBoot.slots - heapBase.slots),
    modules_instantiated_bytes: begin === undefined || end === undefined ? undefined : esp32Bytes(end.chunkBytes - begin.chunkBytes, end.slots - begin.slots),
    lin_slot_bytes: heap.slotBytes,
    ...(devices === 32 ? { goal: HEAP_GOAL_32_BYTES, within_goal: value <= HEAP_GOAL_32_BYTES } : {}),
  });
  return value;
}

export const esp32Suite: Suite = {
  name: 'esp32',
  async run(context) {
    try {
      resolveModdable(context.log);
    } catch (error) {
      if (!(error instanceof SdkUnavailableError)) throw error;
      context.log(`bench: esp32 SKIPPED (esp32.xs_heap_bytes_demo and esp32.xs_heap_bytes_32 not measured): ${error.message}`);
      return;
    }
    await measure(context, 'esp32.xs_heap_bytes_demo', DEFAULT_SITE, 12);
    const dir = path.join(BUILD_DIR, 'lin');
    mkdirSync(dir, { recursive: true });
    const site32 = path.join(dir, 'site-32-devices.json');
    writeFileSync(site32, JSON.stringify(scaledSite(DEFAULT_SITE, 32), null, 2));
    await measure(context, 'esp32.xs_heap_bytes_32', site32, 32);
  },
};
