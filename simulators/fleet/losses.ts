/**
 * Which base-station resource a fleet ran short of. Every lost reception and
 * refused downlink has one cause, and the causes map to the resources an
 * operator can add: airtime (more channels, sub-bands, higher data rates,
 * fewer frames), demodulators (more base stations), the base station's own
 * airtime when it is transmitting (half duplex: fewer downlinks), and the
 * regional duty cycle of its downlinks.
 */
import type { GatewayStats } from '../radio/types.js';

export interface LossesByResource {
  /** Uplink receptions lost to other packets on the air: same-SF collisions without capture, inter-SF interference. */
  airtime: number;
  /** Uplink receptions whose preamble found every demodulator of the base station held. */
  demodulators: number;
  /** Uplink receptions missed while the base station was transmitting (half duplex): the cost of downlinks. */
  halfDuplex: number;
  /** Downlinks refused because they would break the sub-band's duty cycle (the server then tries the next window). */
  dutyCycle: number;
}

/** A resource "ran out" when it cost at least this share of the receptions (or downlink requests) it serves. */
export const RAN_OUT_SHARE = 0.01;

export function lossesByResource(stations: readonly GatewayStats[]): LossesByResource {
  const sum = (f: (s: GatewayStats) => number) => stations.reduce((n, s) => n + f(s), 0);
  return {
    airtime: sum((s) => s.receptions.collision + s.receptions.interference),
    demodulators: sum((s) => s.receptions['demodulators-busy']),
    halfDuplex: sum((s) => s.receptions['gateway-busy']),
    dutyCycle: sum((s) => s.downlinksRefused['duty-cycle']),
  };
}

/**
 * The resources that ran out, most losses first: those that cost at least 1 %
 * of the receptions in range of a base station (weak ones aside) or, for the
 * duty cycle, of the downlinks asked for.
 */
export function resourcesRunOut(losses: LossesByResource, stations: readonly GatewayStats[]): string[] {
  const receptions = stations.reduce((n, s) => n + Object.values(s.receptions).reduce((a, b) => a + b, 0) - s.receptions.weak, 0);
  const downlinksAsked = stations.reduce((n, s) => n + s.downlinks + Object.values(s.downlinksRefused).reduce((a, b) => a + b, 0), 0);
  const shares: Array<[string, number]> = [
    ['airtime', losses.airtime / Math.max(1, receptions)],
    ['demodulators', losses.demodulators / Math.max(1, receptions)],
    ['half-duplex', losses.halfDuplex / Math.max(1, receptions)],
    ['duty-cycle', losses.dutyCycle / Math.max(1, downlinksAsked)],
  ];
  return shares.filter(([, share]) => share >= RAN_OUT_SHARE).sort((a, b) => b[1] - a[1]).map(([name]) => name);
}
