/**
 * The poll periods a downlink may set (docs/gateway.md, "Downlinks"): 1 s to
 * one day, or the narrower `downlinkPollPeriodS` of the device's manifest.
 * The wire could carry up to 16 777 215 s (194 days): a period like that
 * stops a device being polled for months, and past 24.8 days it overflowed
 * the host timers. Checked when a downlink arrives and again when a persisted
 * override is re-applied at start (a record written by an older version may
 * hold anything the wire could carry).
 */
import type { DeviceManifest } from '../devices/manifest.js';
import { DOWNLINK_POLL_PERIOD, DownlinkRefused } from './downlink.js';

/** The gateway's own bounds, seconds. */
export const POLL_PERIOD_BOUNDS_S = { min: 1, max: 86_400 } as const;

export interface PollPeriodBounds {
  minS: number;
  maxS: number;
}

/** The bounds for one device: the gateway's, narrowed by its manifest (never widened). */
export function pollPeriodBounds(manifest: DeviceManifest | undefined): PollPeriodBounds {
  const declared = manifest?.downlinkPollPeriodS;
  return {
    minS: Math.max(POLL_PERIOD_BOUNDS_S.min, declared?.min ?? POLL_PERIOD_BOUNDS_S.min),
    maxS: Math.min(POLL_PERIOD_BOUNDS_S.max, declared?.max ?? POLL_PERIOD_BOUNDS_S.max),
  };
}

export function withinBounds(periodS: number, bounds: PollPeriodBounds): boolean {
  return Number.isInteger(periodS) && periodS >= bounds.minS && periodS <= bounds.maxS;
}

/** Throw DownlinkRefused ('out-of-bounds') unless a downlink may set `periodS` for `device`. */
export function checkDownlinkPollPeriod(device: string, channel: number, periodS: number, bounds: PollPeriodBounds): void {
  if (withinBounds(periodS, bounds)) return;
  const narrowed = bounds.minS !== POLL_PERIOD_BOUNDS_S.min || bounds.maxS !== POLL_PERIOD_BOUNDS_S.max;
  throw new DownlinkRefused('DOWNLINK_OUT_OF_BOUNDS', `poll period ${periodS} s for device '${device}' refused: it must be ${bounds.minS}–${bounds.maxS} s${narrowed ? ' (its manifest\'s downlinkPollPeriodS)' : ''}`, {
    reason: 'out-of-bounds',
    downlinkType: DOWNLINK_POLL_PERIOD,
    index: channel,
    where: 'bytes 3-5',
    fix: `send a period of ${bounds.minS}–${bounds.maxS} s, or 0 to go back to the site file's period`,
  });
}
