/**
 * Fleet simulation speed on Node: fleet.node_gateway_hours_per_second is how
 * many gateway-hours of the demo site (13 devices each, the real core and our
 * LoRaWAN MAC, the channel and the network-server simulator) one run of
 * `axon fleet sim` gets through per wall-clock second. It sizes what a CI
 * pipeline can simulate: 20 gateways for a day is 480 gateway-hours.
 * Noisy like every Node timing on a shared machine; the run's delivery is
 * checked so the figure is of working code.
 */
import { runFleet } from '../../simulators/fleet/fleet.js';
import { demoSite, shippedManifests } from '../../sdk/site/demo-site.js';
import type { Suite, SuiteContext } from './common.js';

const GATEWAYS = 20;
const HOURS = 2;

export const fleetSuite: Suite = {
  name: 'fleet',
  async run(context) {
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
