/**
 * Smoke run at district scale: 100,000 sensors for an hour (2 % on 154
 * demo-site Axon gateways, 98 % direct end devices) in 50 cells on two worker
 * threads. It checks the engine holds together at this size: every cell ran
 * and merged, nearly every device joined, readings and alarms arrived, our
 * crypto agreed with lora-packet on the sampled frames, and memory stayed
 * bounded (cells run one at a time per thread). Its run time is in
 * docs/fleet-sim.md; no assertion is made on time.
 */
import test from 'ava';
import { demoSite, shippedManifests } from '../../sdk/site/demo-site.js';
import { runFleetInWorkers } from './workers.js';

test('100,000 sensors for one hour on two workers', async (t) => {
  t.timeout(60 * 60_000, 'the 100,000-sensor smoke run takes minutes');
  const r = await runFleetInWorkers({ site: demoSite(), manifests: shippedManifests(), sensors: 100_000, mix: { gateways: 0.02, endDevices: 0.98 }, hours: 1, seed: 1 }, 2);
  t.is(r.sensors, 100_000);
  t.is(r.cells, 50);
  t.is(r.gateways, 154);
  t.is(r.endDevices, 100_000 - 154 * 13);
  t.true(r.joined >= 0.95 * (r.gateways + r.endDevices), `${r.joined} of ${r.gateways + r.endDevices} joined`);
  t.true(r.readingsDecoded > 0.5 * r.samples, `${r.readingsDecoded} of ${r.samples} readings decoded`);
  t.true(r.alerts.decoded > 0 && r.alerts.decoded <= r.alerts.events, `${r.alerts.decoded} of ${r.alerts.events} alerts decoded`);
  t.true(r.ns.crossChecked > 0, 'lora-packet cross-checked a sample of frames, and agreed (a disagreement throws)');
  t.is(Object.values(r.ns.rejected).reduce((a, b) => a + b, 0), 0, 'no frame rejected');
  const peakMb = process.resourceUsage().maxRSS / 1024;
  t.true(peakMb < 2048, `peak RSS ${Math.round(peakMb)} MB`);
  t.log(`${r.wallSeconds} s wall, peak RSS ${Math.round(peakMb)} MB, delivery ${(r.deliveryRatio * 100).toFixed(1)} %, alert p95 ${r.alerts.latencyMs.p95} ms`);
});
