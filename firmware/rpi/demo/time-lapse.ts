/**
 * The demo runs a day's storm in minutes. The simulated devices run `speed`
 * times faster than the clock; the gateway itself runs on the real clock
 * (serial timeouts and frame gaps on real ports must stay real), so the site's
 * periods are divided by the speed instead: poll periods, adaptive periods,
 * debounce times and rate-of-rise windows (and their rates go up by the
 * speed, since samples carry real time), the flush and status periods. Floors keep
 * the result sane: a poll period never goes below 1 s, a batch flush below 2 s.
 */
import { APP_ACK_DEFAULTS } from '../../../drivers/gateway/app-ack-window.js';
import type { GatewayOptions } from '../../../drivers/gateway/gateway.js';
import { GATEWAY_DEFAULTS } from '../../../drivers/gateway/gateway.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import type { ManifestLookup } from '../../../drivers/scheduler/site-device.js';

const MIN_POLL_S = 1;

function scaled(seconds: number, speed: number, floor: number): number {
  return Math.max(floor, Math.round((seconds / speed) * 1000) / 1000);
}

export function timeLapseSite(site: SiteFile, manifests: ManifestLookup, speed: number): SiteFile {
  const copy = JSON.parse(JSON.stringify(site)) as SiteFile;
  for (const bus of copy.buses) {
    for (const device of bus.devices) {
      const period = device.pollPeriodS ?? manifests.get(device.manifest)?.pollPeriodS;
      if (period !== undefined) device.pollPeriodS = scaled(period, speed, MIN_POLL_S);
      if (device.adaptive !== undefined) device.adaptive.pollPeriodS = scaled(device.adaptive.pollPeriodS, speed, MIN_POLL_S);
    }
  }
  for (const rule of copy.rules ?? []) {
    if (rule.kind === 'threshold' && rule.debounceS !== undefined) rule.debounceS = rule.debounceS / speed;
    if (rule.kind === 'rate-of-rise') {
      // Samples carry real time, in which the simulated values change `speed` times faster.
      rule.windowS = scaled(rule.windowS, speed, 2 * MIN_POLL_S);
      rule.perMinute *= speed;
      if (rule.clearPerMinute !== undefined) rule.clearPerMinute *= speed;
    }
  }
  return copy;
}

export function timeLapsePeriods(speed: number): Pick<GatewayOptions, 'flushEveryMs' | 'statusEveryMs' | 'retryMaxMs' | 'appAck'> {
  return {
    appAck: { requestAfterMs: Math.max(10_000, APP_ACK_DEFAULTS.requestAfterMs / speed) },
    flushEveryMs: Math.max(2000, GATEWAY_DEFAULTS.flushEveryMs / speed),
    statusEveryMs: Math.max(10_000, GATEWAY_DEFAULTS.statusEveryMs / speed),
    retryMaxMs: 5000,
  };
}
