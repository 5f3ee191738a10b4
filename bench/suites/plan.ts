/**
 * plan.wire_ratio: the scheduler's measured cycle on the demo site, in virtual
 * time against simulated devices, divided by the bus-time planner's cycle for
 * the same requests (sdk/site/wire-ratio.ts). Goal ≤ 1.10: above it the
 * scheduler wastes bus time the model does not account for.
 */
import { fileURLToPath } from 'node:url';
import { loadShippedManifests, loadSiteFile } from '../../sdk/site/validate.js';
import { measureWireRatio } from '../../sdk/site/wire-ratio.js';
import type { Suite } from './common.js';

const DEMO_SITE = fileURLToPath(new URL('../../manifests/sites/demo.json', import.meta.url));
export const WIRE_RATIO_GOAL = 1.1;

export const planSuite: Suite = {
  name: 'plan',
  async run(context) {
    const manifests = loadShippedManifests();
    const site = loadSiteFile(DEMO_SITE, { manifests });
    const ratio = await measureWireRatio(site, manifests);
    for (const bus of ratio.buses) {
      if (bus.failedReadings > 0) throw new Error(`bus ${bus.bus}: ${bus.failedReadings} polls failed in the measured cycle; a benchmark must not time broken polling`);
    }
    context.emit({
      metric: 'plan.wire_ratio',
      value: ratio.value,
      unit: 'ratio',
      goal: `<= ${WIRE_RATIO_GOAL}`,
      measured_ms: Math.round(ratio.buses.reduce((s, b) => s + b.measuredMs, 0) * 10) / 10,
      floor_ms: Math.round(ratio.buses.reduce((s, b) => s + b.floorMs, 0) * 10) / 10,
      requests: ratio.buses.reduce((s, b) => s + b.requests, 0),
      buses: ratio.buses.map((b) => `${b.bus}:${b.ratio}`).join(' '),
      note: 'manifests/sites/demo.json in virtual time: a back-to-back cycle of every device (config cached) timed from the first request to the last reply, divided by the planner cycle (docs/scheduler.md)',
    });
    if (ratio.value > WIRE_RATIO_GOAL) context.log(`warning: plan.wire_ratio ${ratio.value} is above the goal ${WIRE_RATIO_GOAL}`);
  },
};
