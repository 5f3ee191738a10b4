/**
 * Fleet simulation speed and memory on Node.
 *
 * fleet.node_gateway_hours_per_second: gateway-hours of the demo site (13
 * devices each, the real core and our LoRaWAN MAC, the channel and the
 * network-server simulator) one `axon fleet sim` run gets through per
 * wall-clock second (20 gateways, 2 h).
 *
 * On a fixed mixed district (seed 1: 4,000 sensors in two cells, 20 % on Axon
 * gateways and 80 % direct end devices, 1 h + 20 min drain):
 *  - fleet.sensor_hours_per_cpu_second: sensor-hours per second of CPU time,
 *    in one thread (insensitive to other load on the machine, unlike wall time);
 *  - fleet.sensor_hours_per_second_2_workers: sensor-hours per wall-clock
 *    second with two worker threads, one cell each;
 *  - fleet.peak_rss_mb_per_10k_sensors: the process's peak resident memory
 *    over those runs, per 10,000 sensors of the district.
 * The reports of the two runs must be equal (wall time aside), so the figures
 * are of working, deterministic code. Noisy like every timing on a shared machine.
 */
import { runFleet, type FleetOptions } from '../../simulators/fleet/fleet.js';
import { runFleetInWorkers } from '../../simulators/fleet/workers.js';
import { demoSite, shippedManifests } from '../../sdk/site/demo-site.js';
import type { Suite, SuiteContext } from './common.js';

const GATEWAYS = 20;
const HOURS = 2;

const MIXED: FleetOptions = { site: demoSite(), manifests: shippedManifests(), sensors: 4000, mix: { gateways: 0.2, endDevices: 0.8 }, hours: 1, seed: 1 };
const MIXED_NOTE = '4,000 sensors (20 % on demo-site Axon gateways, 80 % end devices) in 2 cells of 1 km² and one base station each, CN470, 1 h + 20 min drain, seed 1';

export const fleetSuite: Suite = {
  name: 'fleet',
  async run(context) {
    // The mixed district first: the peak-memory figure is the process's high-water mark, so it must not include the runs below.
    await emitMixed(context);
    const report = await runFleet({ gateways: GATEWAYS, hours: HOURS, site: demoSite(), manifests: shippedManifests(), seed: 1 });
    if (report.joined !== GATEWAYS || report.deliveryRatio !== 1 || report.alerts.decoded !== report.alerts.events) {
      throw new Error(`the fleet run did not deliver everything: ${JSON.stringify({ joined: report.joined, delivery: report.deliveryRatio, alerts: report.alerts })}`);
    }
    const gatewayHours = GATEWAYS * (HOURS + 20 / 60);
    context.emit({
      metric: 'fleet.node_gateway_hours_per_second',
      value: Math.round((gatewayHours / report.wallSeconds) * 10) / 10,
      unit: 'gateway-hours/s',
      engine: `node ${process.version}`,
      gateways: GATEWAYS,
      simulated_hours: HOURS,
      wall_seconds: report.wallSeconds,
      readings_decoded: report.readingsDecoded,
      alert_latency_p95_ms: Math.round(report.alerts.latencyMs.p95),
      note: `${GATEWAYS} demo-site gateways (13 devices each) over CN470 to one base station for ${HOURS} h + 20 min drain, seed 1, everything delivered`,
    });
    await emitDensity(context);
  },
};

/** The fixed mixed district (seed 1): sensor-hours per CPU-second in one thread, per second on two workers, peak memory. */
async function emitMixed(context: SuiteContext): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const oneThread = await runFleet(MIXED);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const sensorHours = oneThread.sensors * (oneThread.simulatedHours + 20 / 60);
  if (oneThread.joined < oneThread.gateways || oneThread.readingsDecoded === 0) throw new Error(`the mixed district did not run: ${JSON.stringify({ joined: oneThread.joined, decoded: oneThread.readingsDecoded })}`);
  context.emit({
    metric: 'fleet.sensor_hours_per_cpu_second',
    value: Math.round(sensorHours / cpuSeconds),
    unit: 'sensor-hours/CPU-s',
    engine: `node ${process.version}`,
    cpu_seconds: Math.round(cpuSeconds * 10) / 10,
    sensors: oneThread.sensors,
    gateways: oneThread.gateways,
    end_devices: oneThread.endDevices,
    delivery: Math.round(oneThread.deliveryRatio * 10_000) / 10_000,
    note: MIXED_NOTE,
  });

  const twoWorkers = await runFleetInWorkers(MIXED, 2);
  if (JSON.stringify({ ...twoWorkers, wallSeconds: 0 }) !== JSON.stringify({ ...oneThread, wallSeconds: 0 })) {
    throw new Error('the two-worker run gave another report than the one-thread run (cells must not interact)');
  }
  context.emit({
    metric: 'fleet.sensor_hours_per_second_2_workers',
    value: Math.round(sensorHours / twoWorkers.wallSeconds),
    unit: 'sensor-hours/s',
    engine: `node ${process.version}`,
    wall_seconds: twoWorkers.wallSeconds,
    note: `${MIXED_NOTE}; two worker threads, same report as one thread`,
  });

  // maxRSS is the whole process's peak in KiB (worker threads included), over the two runs above.
  const peakMb = process.resourceUsage().maxRSS / 1024;
  context.emit({
    metric: 'fleet.peak_rss_mb_per_10k_sensors',
    value: Math.round((peakMb / (oneThread.sensors / 10_000)) * 10) / 10,
    unit: 'MB',
    peak_rss_mb: Math.round(peakMb),
    note: `${MIXED_NOTE}; peak resident memory of the bench process (these two runs, workers included; measured before the suite's other runs) per 10,000 sensors; cells run one at a time per thread, so memory follows the cell, not the district`,
  });
}

/** Issue 10's density goals: 30 gateways on one base station for 3 h, seed 1 (alert p95 ≤ 15 s, ≤ 0.1 downlinks per uplink). */
async function emitDensity(context: SuiteContext): Promise<void> {
  const report = await runFleet({ gateways: 30, baseStations: 1, hours: 3, site: demoSite(), manifests: shippedManifests(), seed: 1 });
  const run = { gateways: 30, base_stations: 1, simulated_hours: 3, delivery: report.deliveryRatio, limited_by: report.limitedBy.join(',') };
  context.emit({
    metric: 'fleet.alert_latency_p95_s_30gw',
    value: Math.round(report.alerts.latencyMs.p95 / 100) / 10,
    unit: 's',
    ...run,
    alerts: report.alerts.events,
    note: 'alert raised → decoded by the network server, 95th percentile; goal ≤ 15 s (docs/fleet-sim.md)',
  });
  context.emit({
    metric: 'fleet.downlinks_per_uplink_30gw',
    value: Math.round((report.air.downlinks / report.air.uplinks) * 1000) / 1000,
    unit: 'ratio',
    ...run,
    downlinks: report.air.downlinks,
    uplinks: report.air.uplinks,
    note: 'air.downlinks / air.uplinks over the reported period; goal ≤ 0.1 (docs/fleet-sim.md)',
  });
}
