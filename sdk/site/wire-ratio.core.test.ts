/** plan.wire_ratio and the measured effect of coalescing, on the demo site in virtual time (Node and XS). */
import { test } from '../../test/kit/core-test.js';
import { planSite } from '../../drivers/scheduler/bus-time.js';
import { demoSite, shippedManifests } from './demo-site.js';
import { measureBusCycle, measureWireRatio, onePlanPerPoint } from './wire-ratio.js';

test('plan.wire_ratio of the demo site is within the 1.10 goal', async (t) => {
  const manifests = shippedManifests();
  const ratio = await measureWireRatio(demoSite(), manifests);
  t.is(ratio.metric, 'plan.wire_ratio');
  t.true(ratio.value <= 1.1, `wire ratio ${ratio.value}`);
  t.true(ratio.value >= 0.7, `wire ratio ${ratio.value}: the planner should not be far above reality either`);
  const planned = planSite(demoSite(), manifests);
  for (const bus of ratio.buses) {
    t.is(bus.failedReadings, 0, `${bus.bus}: every poll of the measured cycle read every point`);
    const requests = planned.buses.find((b) => b.bus === bus.bus)?.requests.filter((r) => r.kind === 'poll').length;
    t.is(bus.requests, requests, `${bus.bus}: exactly the planned requests went on the wire`);
  }
  t.log(JSON.stringify(ratio));
});

test('coalescing measurably cuts requests and cycle time on the demo bus', async (t) => {
  const site = demoSite();
  const manifests = shippedManifests();
  const bus = site.buses[0];
  const coalesced = await measureBusCycle(bus, manifests);
  const naive = await measureBusCycle(bus, manifests, { plans: onePlanPerPoint(site, manifests) });
  t.is(coalesced.requests, 17);
  t.is(naive.requests, 31, 'one request per point (27 Modbus points, 4 meter DIs)');
  t.is(naive.failedReadings, 0);
  t.true(coalesced.measuredMs < 0.75 * naive.measuredMs, `coalesced ${coalesced.measuredMs} ms vs ${naive.measuredMs} ms`);
  t.true(naive.ratio <= 1.1, 'the one-per-point cycle matches its own plan too');
});
