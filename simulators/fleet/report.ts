/**
 * The fleet report, built from mergeable statistics. Each cell of a district
 * produces a CellPart (sums, a latency histogram, uplinks per minute, its
 * gateways' rows); a report is the merge of every cell's part, whether the
 * cells ran in one process, in worker threads or on other machines
 * (`axon fleet sim --shard i/n` writes parts, `axon fleet merge` combines
 * them). Sums of integers and histogram counts do not depend on the order of
 * merging, so any split gives exactly the one-process report.
 */
import type { RegionName } from '../../drivers/lorawan/regions/types.js';
import type { GatewayStats, ReceptionOutcome } from '../radio/types.js';
import { LatencyHistogram, type HistogramJson } from './latency-histogram.js';
import { lossesByResource, resourcesRunOut, type LossesByResource } from './losses.js';
import { mergeTimelines, type TimelineJson } from './timeline.js';

/** Upper edges of the alert-latency distribution's bins, ms (and one bin above the last). */
export const LATENCY_BIN_EDGES_MS = [1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];

export interface GatewayRow {
  devEui: string;
  /** Where it is, km from the district's south-west corner. */
  x: number;
  y: number;
  /** Path loss to the nearest base station, dB. */
  pathLossDb: number;
  dataRate: number;
  samples: number;
  queuedSamples: number;
  readingsDecoded: number;
  alertEvents: number;
  frames: number;
  retransmissions: number;
  confirmedFailed: number;
}

/**
 * One base station: its sub-band, what it heard and lost by cause, what it
 * sent and refused. A station belongs to one cell, so the rows of a run are
 * the rows of its cells side by side.
 */
export interface BaseStationRow extends GatewayStats {
  id: string;
  /** Where it is, km from the district's south-west corner. */
  x: number;
  y: number;
  /** Uplink channel indexes its concentrator listens on. */
  channels: number[];
  /** Gateways provisioned with its sub-band because it is their nearest station. */
  gateways: number;
  /** End devices provisioned with its sub-band because it is their nearest station. */
  endDevices: number;
}

/** Counters that add up across cells. */
export interface CellCounts {
  gateways: number;
  /** Gateways whose field devices were simulated on the byte-level RS-485 wire (the rest from register images). */
  byteLevelGateways: number;
  endDevices: number;
  baseStations: number;
  /** Field devices on the gateways' sites plus end devices. */
  sensors: number;
  joined: number;
  samples: number;
  readingsDecoded: number;
  readingsDuplicated: number;
  queuedSamples: number;
  pendingFrames: number;
  /** Frames sent and decoded, kept in the gateways' logs until the platform's next data-ack. */
  awaitingAck: number;
  pendingAlerts: number;
  droppedReadings: number;
  alertEvents: number;
  alertsRaised: number;
  alertsDecoded: number;
  endDeviceReports: number;
  endDeviceSendFailures: number;
  airUplinks: number;
  airDownlinks: number;
  receptions: Record<ReceptionOutcome, number>;
  macUplinks: number;
  macRetransmissions: number;
  macConfirmedFailed: number;
  macJoinRequests: number;
  dataRates: Record<string, number>;
  nsUplinksAccepted: number;
  nsDuplicates: number;
  nsRetransmissions: number;
  nsRejected: Record<string, number>;
  /** Data frames our core verified or decrypted at the network server, and those lora-packet checked as well. */
  cryptoOperations: number;
  crossChecked: number;
}

export interface CellPart {
  cell: number;
  counts: CellCounts;
  latency: HistogramJson;
  /** Frames heard (by any base station of the cell) in each simulated minute. */
  uplinksPerMinute: number[];
  /** Readings taken and decoded, frames heard and alerts raised per bucket of simulated time. */
  timeline: TimelineJson;
  perGateway: GatewayRow[];
  /** The cell's base stations, figures taken at the end of the reported period. */
  perBaseStation: BaseStationRow[];
}

/** What every part of one run shares: a merge refuses parts of different runs. */
export interface RunIdentity {
  region: RegionName;
  seed: number;
  simulatedHours: number;
  cells: number;
  gateways: number;
  endDevices: number;
  /** Field devices on the site every gateway runs. */
  devicesPerSite: number;
  /** Side of the square district, km (cells tile it in a √cells grid). */
  areaKm: number;
  /** Site id, flush period, area: anything else that changes the run. */
  fingerprint: string;
}

/** A partial report: some cells of a run (`--shard i/n`). */
export interface PartialReport {
  format: 'axon-fleet-partial/1';
  run: RunIdentity;
  shard: { index: number; count: number };
  parts: CellPart[];
  wallSeconds: number;
}

export interface FleetReport {
  gateways: number;
  /** Gateways whose field devices were on the byte-level RS-485 wire; the others answered from register images (same readings, cheaper). */
  byteLevelGateways: number;
  /** Direct LoRaWAN end devices (smoke, waterlogging, hydrant, manhole-cover sensors). */
  endDevices: number;
  /** Field devices on the gateways' sites plus end devices. */
  sensors: number;
  baseStations: number;
  /** Independent radio cells the district is cut into (tiles of a ⌈√cells⌉-column grid). */
  cells: number;
  /** Side of the square district, km; positions in the rows are km from its south-west corner. */
  areaKm: number;
  /** Field devices on the gateways' sites. */
  devices: number;
  region: RegionName;
  simulatedHours: number;
  seed: number;
  joined: number;
  /** Samples the gateways took and readings the end devices framed. */
  samples: number;
  /** Readings the network server decoded, each (device, channel, time) once. */
  readingsDecoded: number;
  /** Decoded more than once (at-least-once delivery: a frame sent again after a lost ACK). */
  readingsDuplicated: number;
  /** Not yet sent when the run ended: still in an encoder queue or in a gateway's log. */
  inFlight: {
    queuedSamples: number; pendingFrames: number; pendingAlerts: number;
    /** Sent and decoded, kept in the logs until the platform's next data-ack (docs/app-ack.md); not counted in pendingFrames. */
    awaitingAck: number;
  };
  droppedReadings: number;
  /** readingsDecoded / (samples − queuedSamples): 1 means everything framed arrived. */
  deliveryRatio: number;
  alerts: {
    raised: number; events: number; decoded: number; latencyMs: { p50: number; p95: number; max: number };
    /** The latency distribution: alerts decoded within each bin (upper edges in LATENCY_BIN_EDGES_MS, then one bin above). */
    latencyBins: { upToMs: number[]; counts: number[] };
  };
  /** Over simulated time, in buckets of `bucketMinutes`: readings taken and decoded, frames heard, alerts raised. */
  timeline: TimelineJson;
  air: { uplinks: number; downlinks: number; receptions: Record<ReceptionOutcome, number>; busiestMinuteUplinks: number };
  /** Receptions lost and downlinks refused over the run, by the base-station resource that ran out. */
  losses: LossesByResource;
  /** The resources that ran out (cost ≥ 1 % of receptions or downlinks; losses.ts), most first: 'airtime', 'demodulators', 'half-duplex', 'duty-cycle'. */
  limitedBy: string[];
  /** One row per base station, in station order (bs-1, bs-2, …). */
  perBaseStation: BaseStationRow[];
  mac: { uplinks: number; retransmissions: number; confirmedFailed: number; joinRequests: number; dataRates: Record<string, number> };
  ns: { uplinksAccepted: number; duplicates: number; retransmissions: number; rejected: Record<string, number>; crossChecked: number };
  endDeviceStats: { reports: number; sendFailures: number };
  /** One row per gateway, in DevEUI order. */
  perGateway: GatewayRow[];
  wallSeconds: number;
}

function addRecord(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/** Sum counters across cells (order-free). */
export function sumCounts(parts: readonly CellPart[]): CellCounts {
  const total: CellCounts = {
    gateways: 0, byteLevelGateways: 0, endDevices: 0, baseStations: 0, sensors: 0, joined: 0, samples: 0, readingsDecoded: 0, readingsDuplicated: 0,
    queuedSamples: 0, pendingFrames: 0, awaitingAck: 0, pendingAlerts: 0, droppedReadings: 0, alertEvents: 0, alertsRaised: 0, alertsDecoded: 0,
    endDeviceReports: 0, endDeviceSendFailures: 0, airUplinks: 0, airDownlinks: 0,
    receptions: { ok: 0, collision: 0, interference: 0, lost: 0, weak: 0, 'gateway-busy': 0, 'demodulators-busy': 0 },
    macUplinks: 0, macRetransmissions: 0, macConfirmedFailed: 0, macJoinRequests: 0, dataRates: {},
    nsUplinksAccepted: 0, nsDuplicates: 0, nsRetransmissions: 0, nsRejected: {}, cryptoOperations: 0, crossChecked: 0,
  };
  for (const { counts } of parts) {
    for (const key of Object.keys(counts) as (keyof CellCounts)[]) {
      const value = counts[key];
      if (typeof value === 'number') (total[key] as number) += value;
      else addRecord(total[key] as Record<string, number>, value);
    }
  }
  return total;
}

/** The report of a run from the parts of all its cells. */
export function mergeParts(run: RunIdentity, parts: readonly CellPart[], wallSeconds: number): FleetReport {
  const cells = [...parts].sort((a, b) => a.cell - b.cell);
  const seen = new Set<number>();
  for (const p of cells) {
    if (seen.has(p.cell)) throw new RangeError(`cell ${p.cell} appears twice among the parts`);
    seen.add(p.cell);
  }
  const c = sumCounts(cells);
  const latency = new LatencyHistogram();
  for (const p of cells) latency.merge(LatencyHistogram.fromJSON(p.latency));
  const perMinute: number[] = [];
  for (const p of cells) p.uplinksPerMinute.forEach((n, m) => (perMinute[m] = (perMinute[m] ?? 0) + n));
  let busiest = 0;
  for (const n of perMinute) if (n !== undefined && n > busiest) busiest = n;
  const perGateway = cells.flatMap((p) => p.perGateway).sort((a, b) => (a.devEui < b.devEui ? -1 : a.devEui > b.devEui ? 1 : 0));
  const stationNumber = (id: string) => Number(id.slice(id.lastIndexOf('-') + 1));
  const perBaseStation = cells.flatMap((p) => p.perBaseStation).sort((a, b) => stationNumber(a.id) - stationNumber(b.id));
  const losses = lossesByResource(perBaseStation);
  const framed = c.samples - c.queuedSamples;
  return {
    gateways: run.gateways,
    byteLevelGateways: c.byteLevelGateways,
    endDevices: run.endDevices,
    sensors: c.sensors,
    baseStations: c.baseStations,
    cells: run.cells,
    areaKm: run.areaKm,
    devices: run.gateways * run.devicesPerSite,
    region: run.region,
    simulatedHours: run.simulatedHours,
    seed: run.seed,
    joined: c.joined,
    samples: c.samples,
    readingsDecoded: c.readingsDecoded,
    readingsDuplicated: c.readingsDuplicated,
    inFlight: { queuedSamples: c.queuedSamples, pendingFrames: c.pendingFrames, pendingAlerts: c.pendingAlerts, awaitingAck: c.awaitingAck },
    droppedReadings: c.droppedReadings,
    deliveryRatio: framed === 0 ? 1 : c.readingsDecoded / framed,
    alerts: {
      raised: c.alertsRaised,
      events: c.alertEvents,
      decoded: c.alertsDecoded,
      latencyMs: { p50: latency.percentile(0.5), p95: latency.percentile(0.95), max: latency.max },
      latencyBins: { upToMs: LATENCY_BIN_EDGES_MS, counts: latency.countsBetween(LATENCY_BIN_EDGES_MS) },
    },
    timeline: mergeTimelines(cells.map((p) => p.timeline)),
    air: { uplinks: c.airUplinks, downlinks: c.airDownlinks, receptions: c.receptions, busiestMinuteUplinks: busiest },
    losses,
    limitedBy: resourcesRunOut(losses, perBaseStation),
    perBaseStation,
    mac: { uplinks: c.macUplinks, retransmissions: c.macRetransmissions, confirmedFailed: c.macConfirmedFailed, joinRequests: c.macJoinRequests, dataRates: c.dataRates },
    ns: { uplinksAccepted: c.nsUplinksAccepted, duplicates: c.nsDuplicates, retransmissions: c.nsRetransmissions, rejected: c.nsRejected, crossChecked: c.crossChecked },
    endDeviceStats: { reports: c.endDeviceReports, sendFailures: c.endDeviceSendFailures },
    perGateway,
    wallSeconds,
  };
}

/** Partial reports of one run → its report; refuses parts of different runs and missing or repeated cells. */
export function mergePartials(partials: readonly PartialReport[]): FleetReport {
  if (partials.length === 0) throw new RangeError('no partial reports to merge');
  const run = partials[0].run;
  for (const p of partials) {
    if (p.format !== 'axon-fleet-partial/1') throw new RangeError(`not a fleet partial report (format ${String(p.format)})`);
    if (JSON.stringify(p.run) !== JSON.stringify(run)) throw new RangeError(`partial reports of different runs: ${JSON.stringify(p.run)} vs ${JSON.stringify(run)}`);
  }
  const parts = partials.flatMap((p) => p.parts);
  const missing: number[] = [];
  const have = new Set(parts.map((p) => p.cell));
  for (let c = 0; c < run.cells; c++) if (!have.has(c)) missing.push(c);
  if (missing.length > 0) throw new RangeError(`cells missing from the partial reports: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''} (${missing.length} of ${run.cells})`);
  return mergeParts(run, parts, Math.max(...partials.map((p) => p.wallSeconds)));
}
