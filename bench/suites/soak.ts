/**
 * The soak (soak/soak.ts) as bench lines: the demo site for 24 h of virtual
 * time with device drops, bus noise and uplink outages; readings lost and
 * heap growth. `npm run soak -- --hours 72` runs the long one.
 */
import { runSoak } from '../../soak/soak.js';
import type { Suite } from './common.js';

const HOURS = 24;

export const soakSuite: Suite = {
  name: 'soak',
  async run(context) {
    const r = await runSoak({ hours: HOURS });
    const workload = `demo site, ${HOURS} h virtual: ${r.faults.deviceDrops} device drops, ${r.faults.noiseWindows} noise bursts, ${r.faults.outages} uplink outages, 1 % of messages lost`;
    context.emit({ metric: 'soak.readings_lost', value: r.readingsLost, unit: 'readings', readings_taken: r.samples, readings_decoded: r.readingsDecoded, duplicated: r.readingsDuplicated, simulated_hours: HOURS, workload });
    context.emit({ metric: 'soak.heap_growth_bytes', value: r.heapGrowthBytes, unit: 'bytes', heap_before: r.heapBeforeBytes, heap_after: r.heapAfterBytes, simulated_hours: HOURS, wall_seconds: Math.round(r.wallSeconds), note: 'JS heap after a full GC at the end minus after the first simulated hour' });
    if (r.readingsLost > 0) throw new Error(`the soak lost ${r.readingsLost} readings`);
  },
};
