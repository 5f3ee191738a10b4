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
import type { Suite } from './common.js';

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
  },
};
