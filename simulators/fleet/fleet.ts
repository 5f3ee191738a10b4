/**
 * A fleet in virtual time: a district of Axon gateways (each the real core —
 * Gateway, scheduler, drivers, rules, batches, store-and-forward log, our
 * LoRaWAN class A MAC — on its own simulated site) and direct LoRaWAN end
 * devices (smoke, waterlogging, hydrant and manhole-cover sensors on our MAC
 * and framing), sending over simulated LoRa channels (collisions, capture,
 * inter-SF interference, path loss) to base stations (8-channel concentrators
 * with 16 demodulators and the region's downlink duty cycle; see
 * base-stations.ts) and a network-server simulator (our core on every frame,
 * lora-packet on a sample, ADR, dedup across base stations) with the
 * platform's application-ack service beside it.
 * What a district's network team asks before rollout: with this many devices
 * per base station, this flush period and these data rates, does everything
 * arrive, how late are the alarms, how busy is the air?
 *
 * The district is cut into cells that never interact (district.ts); each cell
 * runs on its own clock (cell.ts) and yields a mergeable part (report.ts).
 * Cells run one after another here, in worker threads (workers.ts), or in
 * other processes (`--shard i/n`), and the merged report is the same.
 *
 * Radio geometry is coarse on purpose: devices and base stations are placed
 * uniformly at random in their cell, path loss is log-distance (PL = 120 dB at
 * 1 km, exponent 3.5, lognormal shadowing σ = 6 dB), which is the shape of the
 * usual urban macro-cell models without pretending to their precision. The
 * seed replays the same district exactly.
 */
import type { DeviceManifest } from '../../drivers/devices/manifest.js';
import { siteChannelTable } from '../../drivers/gateway/site-channels.js';
import type { SiteFile } from '../../drivers/gateway/site.js';
import { createRegion } from '../../drivers/lorawan/regions/index.js';
import type { RegionName } from '../../drivers/lorawan/regions/types.js';
import type { NsEvent } from '../lorawan-ns/events.js';
import { runCell, type CellProgress } from './cell.js';
import { planCell, type DistrictOptions } from './district.js';
import { mergeParts, type CellPart, type FleetReport, type PartialReport, type RunIdentity } from './report.js';

export type { BaseStationRow, FleetReport, GatewayRow, PartialReport } from './report.js';

export interface FleetOptions {
  /** Number of Axon gateways (or give `sensors` and `mix`). */
  gateways?: number;
  /** Number of direct LoRaWAN end devices (default 0, or from `sensors` and `mix`). */
  endDevices?: number;
  /** Sensors in the district: field devices on the gateways' sites plus end devices (with `mix`). */
  sensors?: number;
  /** Share of the sensors on Axon gateways and as end devices (default 0.2 / 0.8 with `sensors`). */
  mix?: { gateways: number; endDevices: number };
  /** LoRaWAN base stations in the district (default one per cell). */
  baseStations?: number;
  /**
   * Sub-bands of 8 channels the base stations use (default 1: every station
   * hears the same 8; more: station k hears sub-band k mod n, frequency reuse).
   * Each gateway and end device is provisioned with its nearest station's sub-band.
   */
  subBands?: number;
  /** Demodulators per base station (default 16, an SX1302's). */
  demodulators?: number;
  /**
   * How end devices are activated: 'otaa' (default) joins each one over the
   * air at power-up; 'abp' gives each its session at installation, as a
   * pre-provisioned (activation by personalisation) deployment does, so a run
   * spends no time on the join storm.
   */
  endDeviceActivation?: 'otaa' | 'abp';
  /**
   * How the gateways' field devices are simulated: 'image' (default) answers their Modbus and meter reads
   * from each device's register image, keeping the byte-level RS-485 wire for 1 gateway in 100; 'full' puts
   * every gateway on the wire. Both give the same readings at the same times (simulators/register-image.ts).
   */
  wire?: 'image' | 'full';
  /** Independent radio cells (default 1; with `sensors`, one per 2,000 sensors). */
  cells?: number;
  /** Simulated hours of operation (default 6), followed by a drain (below). */
  hours?: number;
  /** Minutes after the last flush for the logs to drain (default 20). */
  drainMinutes?: number;
  /** Region (default: the site's LoRaWAN region). */
  region?: RegionName;
  /** Every gateway runs this site (each with its own device seeds). */
  site: SiteFile;
  manifests: ReadonlyMap<string, DeviceManifest>;
  /** Side of the square district, km (default 3, or 1 km² per cell with `sensors`). */
  areaKm?: number;
  /** Batch flush period, minutes (default the gateway's, 5). */
  flushMinutes?: number;
  /** Seeds placement, shadowing, device models, MAC jitter and channel dice (default 1). */
  seed?: number;
  /** Called every simulated `progressEveryMinutes` (default 30) of every cell. */
  onProgress?: (progress: FleetProgress) => void;
  progressEveryMinutes?: number;
  /** Every network-server event, with the clock time (for tools that keep a trace). */
  onNetworkEvent?: (event: NsEvent, atMs: number) => void;
}

/** A cell's progress (the cell that reported, and where it is), with the run's. */
export interface FleetProgress extends CellProgress {
  /** Of the cells this process runs (the whole run, or a shard's): how many, how many finished, and the simulated share done (0–1). */
  cells: number;
  cellsDone: number;
  done: number;
}

/**
 * Sensors per cell when the district is given by its sensor count: a square
 * kilometre of dense city, one base station, as urban LoRaWAN networks are
 * planned (a few thousand devices per base station).
 */
export const SENSORS_PER_CELL = 2_000;
/** Default share of sensors on Axon gateways (the rest are end devices). */
export const DEFAULT_GATEWAY_SHARE = 0.2;

/** A fleet's shape in full: how many of each device, cells, stations, area, hours, seed. */
export interface ResolvedFleet {
  district: DistrictOptions;
  run: RunIdentity;
  hours: number;
  drainMinutes: number;
}

export function devicesPerSite(site: SiteFile): number {
  return site.buses.reduce((n, b) => n + b.devices.length, 0);
}

/** Turn the options into counts: `sensors` and `mix`, or `gateways` and `endDevices`. */
export function resolveFleet(options: FleetOptions): ResolvedFleet {
  const perSite = devicesPerSite(options.site);
  let gateways = options.gateways ?? 0;
  let endDevices = options.endDevices ?? 0;
  if (options.sensors !== undefined) {
    const share = options.mix === undefined ? DEFAULT_GATEWAY_SHARE : options.mix.gateways / (options.mix.gateways + options.mix.endDevices);
    // The sensor count of a gateway is its site's devices; end devices make up the rest.
    gateways = perSite === 0 ? 0 : Math.round((options.sensors * share) / perSite);
    endDevices = Math.max(0, options.sensors - gateways * perSite);
  }
  if (gateways + endDevices === 0) throw new RangeError('the fleet has no devices: give gateways, end devices or sensors');
  const sensors = gateways * perSite + endDevices;
  const cells = options.cells ?? (options.sensors === undefined ? 1 : Math.max(1, Math.ceil(sensors / SENSORS_PER_CELL)));
  const areaKm = options.areaKm ?? (options.sensors === undefined ? 3 : Math.sqrt(cells));
  const siteRegion = options.site.uplink.kind === 'lorawan' ? options.site.uplink.region : undefined;
  const region = options.region ?? siteRegion;
  if (region === undefined) throw new RangeError(`site ${options.site.id} has no LoRaWAN uplink: give the fleet a region`);
  const seed = options.seed ?? 1;
  const hours = options.hours ?? 6;
  const drainMinutes = options.drainMinutes ?? 20;
  const subBands = options.subBands ?? 1;
  const district: DistrictOptions = { gateways, endDevices, cells, baseStations: options.baseStations ?? cells, subBands, areaKm, seed };
  const fingerprint = JSON.stringify({ site: options.site.id, flush: options.flushMinutes ?? null, areaKm, baseStations: district.baseStations, subBands, demodulators: options.demodulators ?? null, endDeviceActivation: options.endDeviceActivation ?? 'otaa', drainMinutes, wire: options.wire ?? 'image' });
  return { district, hours, drainMinutes, run: { region, seed, simulatedHours: hours, cells, gateways, endDevices, devicesPerSite: perSite, areaKm, fingerprint } };
}

/** Run some cells of a fleet in this thread, one after another; `onPart` gets each cell's part. */
export async function runCells(options: FleetOptions, cellIndexes: readonly number[], onProgress?: (p: CellProgress) => void): Promise<CellPart[]> {
  const resolved = resolveFleet(options);
  const regionName = resolved.run.region;
  const table = siteChannelTable(options.site, options.manifests);
  const parts: CellPart[] = [];
  for (const c of cellIndexes) {
    parts.push(await runCell(planCell(resolved.district, c), {
      region: createRegion(regionName),
      regionName,
      site: options.site,
      manifests: options.manifests,
      table,
      ...(options.demodulators === undefined ? {} : { demodulators: options.demodulators }),
      ...(options.endDeviceActivation === undefined ? {} : { endDeviceActivation: options.endDeviceActivation }),
      ...(options.wire === undefined ? {} : { wire: options.wire }),
      hours: resolved.hours,
      drainMinutes: resolved.drainMinutes,
      ...(options.flushMinutes === undefined ? {} : { flushMinutes: options.flushMinutes }),
      seed: resolved.run.seed,
      progressEveryMinutes: options.progressEveryMinutes ?? 30,
      ...(onProgress === undefined ? {} : { onProgress }),
      ...(options.onNetworkEvent === undefined ? {} : { onNetworkEvent: options.onNetworkEvent }),
    }));
  }
  return parts;
}

/** Tracks the simulated minute of every cell this process runs (all of them, or a shard's), for a progress figure over them. */
export class ProgressTracker {
  /** Cell index → slot (a shard runs some cells of the district). */
  readonly #slot = new Map<number, number>();
  readonly #minutes: number[];
  readonly #total: number;
  #decoded: number[];
  #alerts: number[];
  #cellsDone = 0;

  constructor(cells: readonly number[], totalMinutes: number) {
    cells.forEach((c, i) => this.#slot.set(c, i));
    this.#minutes = new Array<number>(cells.length).fill(0);
    this.#decoded = new Array<number>(cells.length).fill(0);
    this.#alerts = new Array<number>(cells.length).fill(0);
    this.#total = totalMinutes;
  }

  update(p: CellProgress): FleetProgress {
    const slot = this.#slot.get(p.cell) ?? 0;
    if (p.minute >= p.totalMinutes && this.#minutes[slot] < p.totalMinutes) this.#cellsDone++;
    this.#minutes[slot] = p.minute;
    this.#decoded[slot] = p.decodedReadings;
    this.#alerts[slot] = p.alertsDecoded;
    const cells = this.#minutes.length;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const single = cells === 1;
    return {
      ...p,
      // With one cell the figures are the cell's; with many, the run's so far.
      decodedReadings: single ? p.decodedReadings : sum(this.#decoded),
      alertsDecoded: single ? p.alertsDecoded : sum(this.#alerts),
      cells,
      cellsDone: this.#cellsDone,
      done: sum(this.#minutes) / (cells * this.#total),
    };
  }
}

/** The whole fleet in this thread: every cell in turn, merged into one report. */
export async function runFleet(options: FleetOptions): Promise<FleetReport> {
  const started = Date.now();
  const resolved = resolveFleet(options);
  const all = Array.from({ length: resolved.run.cells }, (_, c) => c);
  const tracker = new ProgressTracker(all, resolved.hours * 60 + resolved.drainMinutes);
  const parts = await runCells(options, all, options.onProgress === undefined ? undefined : (p) => options.onProgress?.(tracker.update(p)));
  return mergeParts(resolved.run, parts, (Date.now() - started) / 1000);
}

/** Cells of shard `index` of `count` (0-based): every count-th cell. */
export function shardCells(cells: number, index: number, count: number): number[] {
  const out: number[] = [];
  for (let c = index; c < cells; c += count) out.push(c);
  return out;
}

/** One shard of a fleet, in this thread: its cells' parts, for `axon fleet merge`. */
export async function runFleetShard(options: FleetOptions, shard: { index: number; count: number }): Promise<PartialReport> {
  const started = Date.now();
  const resolved = resolveFleet(options);
  const cells = shardCells(resolved.run.cells, shard.index, shard.count);
  const tracker = new ProgressTracker(cells, resolved.hours * 60 + resolved.drainMinutes);
  const parts = await runCells(options, cells, options.onProgress === undefined ? undefined : (p) => options.onProgress?.(tracker.update(p)));
  return { format: 'axon-fleet-partial/1', run: resolved.run, shard, parts, wallSeconds: (Date.now() - started) / 1000 };
}
