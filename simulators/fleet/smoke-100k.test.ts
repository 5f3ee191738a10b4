/**
 * Smoke run at district scale: 100,000 sensors for an hour (2 % on 154
 * demo-site Axon gateways, 98 % direct end devices) in 50 cells on two worker
 * threads. It checks the engine holds together at this size: every cell ran
 * and merged, every device is on the network, readings and alarms arrived,
 * our crypto agreed with lora-packet on the sampled frames, and memory stayed
 * bounded (cells run one at a time per thread).
 *
 * Kept CI-sized: the end devices are ABP (personalised at installation, as
 * many district deployments are), so the run does not spend most of its CPU
 * on 98,000 joins through 50 half-duplex base stations (the join storm costs
 * about 2.5 times the rest of the hour; the OTAA path is checked by the fleet
 * and shard/merge tests). A line is logged per cell finished, and the test
 * sets its own timeout, so ava's inactivity timeout never cuts it short on a
 * busy machine. Its CPU time is in docs/fleet-sim.md; no assertion on time.
 */
import test from 'ava';
import { demoSite, shippedManifests } from '../../sdk/site/demo-site.js';
import { runFleetInWorkers } from './workers.js';

test('100,000 sensors for one hour on two workers', async (t) => {
  t.timeout(60 * 60_000, 'the 100,000-sensor smoke run takes minutes');
  let cellsDone = 0;
  const r = await runFleetInWorkers({
    site: demoSite(), manifests: shippedManifests(), sensors: 100_000, mix: { gateways: 0.02, endDevices: 0.98 }, hours: 1, seed: 1, endDeviceActivation: 'abp',
    onProgress: (p) => {
      if (p.cellsDone === cellsDone) return;
      cellsDone = p.cellsDone;
      t.log(`${cellsDone}/${p.cells} cells done`);
    },
  }, 2);
  t.is(r.sensors, 100_000);
  t.is(r.cells, 50);
  t.is(r.gateways, 154);
  t.is(r.endDevices, 100_000 - 154 * 13);
  t.true(r.mac.joinRequests >= r.gateways, 'the gateways join over the air');
  t.true(r.joined >= 0.95 * (r.gateways + r.endDevices), `${r.joined} of ${r.gateways + r.endDevices} on the network`);
  t.true(r.readingsDecoded > 0.5 * r.samples, `${r.readingsDecoded} of ${r.samples} readings decoded`);
  t.true(r.alerts.decoded > 0 && r.alerts.decoded <= r.alerts.events, `${r.alerts.decoded} of ${r.alerts.events} alerts decoded`);
  t.true(r.ns.crossChecked > 0, 'lora-packet cross-checked a sample of frames, and agreed (a disagreement throws)');
  t.is(Object.values(r.ns.rejected).reduce((a, b) => a + b, 0), 0, 'no frame rejected');
  t.is(r.perBaseStation.length, 50, 'one base station per cell, merged');
  const peakMb = process.resourceUsage().maxRSS / 1024;
  t.true(peakMb < 2048, `peak RSS ${Math.round(peakMb)} MB`);
  const cpu = process.resourceUsage();
  t.log(`${r.wallSeconds} s wall, ${Math.round((cpu.userCPUTime + cpu.systemCPUTime) / 1e6)} CPU-s in this process (workers included), peak RSS ${Math.round(peakMb)} MB, delivery ${(r.deliveryRatio * 100).toFixed(1)} %, alert p95 ${r.alerts.latencyMs.p95} ms, limited by ${r.limitedBy.join(', ') || 'nothing'}`);
});
