/**
 * A fleet of Axon gateways in virtual time: N gateways, each the real core
 * (Gateway, scheduler, drivers, rules, batches, store-and-forward log, our
 * LoRaWAN class A MAC) on its own simulated site, all sending over one
 * simulated LoRa channel (collisions, capture, path loss) to K base stations
 * and one network-server simulator (lora-packet side, ADR, dedup across base
 * stations). What a district's network team asks before rollout: with this
 * many gateways per base station, this flush period and these data rates, does
 * everything arrive, how late are the alarms, how busy is the air?
 *
 * Radio geometry is coarse on purpose: gateways and base stations are placed
 * uniformly at random in a square district, path loss is log-distance
 * (PL = 120 dB at 1 km, exponent 3.5, lognormal shadowing σ = 6 dB), which is
 * the shape of the usual urban macro-cell models without pretending to their
 * precision. The seed replays the same district exactly.
 */
import { fromHex } from '../../drivers/bytes.js';
import type { DeviceManifest } from '../../drivers/devices/manifest.js';
import { Gateway } from '../../drivers/gateway/gateway.js';
import { siteChannelTable } from '../../drivers/gateway/site-channels.js';
import type { SiteFile } from '../../drivers/gateway/site.js';
import { LoraWanMac, LoraWanUplink } from '../../drivers/lorawan/mac/index.js';
import { createRegion } from '../../drivers/lorawan/regions/index.js';
import type { RegionName } from '../../drivers/lorawan/regions/types.js';
import { MemoryKeyValueStore } from '../../drivers/ports/storage.js';
import { MemoryFileSystem } from '../../drivers/store/memory-file-system.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { NodeBlockCipher } from '../../firmware/rpi/ports/node-cipher.js';
import type { NsEvent } from '../lorawan-ns/events.js';
import { LoraNetworkServer } from '../lorawan-ns/network-server.js';
import { attachToRadioGateway } from '../lorawan-ns/radio-gateway.js';
import { DeviceRegistry } from '../lorawan-ns/registry.js';
import { parseRegistry } from '../lorawan-ns/registry-file.js';
import { mulberry32 } from '../models/prng.js';
import { SimulatedLoraChannel } from '../radio/index.js';
import type { ReceptionOutcome } from '../radio/types.js';
import { simulateSite } from '../site-sim.js';

export interface FleetOptions {
  /** Number of Axon gateways. */
  gateways: number;
  /** Number of LoRaWAN base stations (default 1). */
  baseStations?: number;
  /** Simulated hours of operation (default 6), followed by a drain (below). */
  hours?: number;
  /** Minutes after the last flush for the logs to drain (default 20). */
  drainMinutes?: number;
  /** Region (default: the site's LoRaWAN region). */
  region?: RegionName;
  /** Every gateway runs this site (default the caller's; each with its own device seeds). */
  site: SiteFile;
  manifests: ReadonlyMap<string, DeviceManifest>;
  /** Side of the square district, km (default 3). */
  areaKm?: number;
  /** Batch flush period, minutes (default the gateway's, 5). */
  flushMinutes?: number;
  /** Seeds placement, shadowing, device models, MAC jitter and channel dice (default 1). */
  seed?: number;
  /** Called every simulated `progressEveryMinutes` (default 30) with the simulated minute reached. */
  onProgress?: (progress: FleetProgress) => void;
  progressEveryMinutes?: number;
  /** Every network-server event, with the clock time (for tools that keep a trace). */
  onNetworkEvent?: (event: NsEvent, atMs: number) => void;
}

export interface FleetProgress {
  minute: number;
  totalMinutes: number;
  joined: number;
  decodedReadings: number;
  alertsDecoded: number;
}

export interface FleetReport {
  gateways: number;
  baseStations: number;
  devices: number;
  region: RegionName;
  simulatedHours: number;
  seed: number;
  joined: number;
  /** Samples the gateways took (drivers → rules → batch). */
  samples: number;
  /** Readings the network server decoded, each (gateway, device, point, time) once. */
  readingsDecoded: number;
  /** Decoded more than once: must be 0 (confirmed retransmissions reuse their FCnt). */
  readingsDuplicated: number;
  /** Not yet sent when the run ended: still in an encoder queue or in a gateway's log. */
  inFlight: { queuedSamples: number; pendingFrames: number; pendingAlerts: number };
  droppedReadings: number;
  /** readingsDecoded / (samples − queuedSamples): 1 means everything framed arrived. */
  deliveryRatio: number;
  alerts: { raised: number; events: number; decoded: number; latencyMs: { p50: number; p95: number; max: number } };
  air: { uplinks: number; downlinks: number; receptions: Record<ReceptionOutcome, number>; busiestMinuteUplinks: number };
  mac: { uplinks: number; retransmissions: number; confirmedFailed: number; joinRequests: number; dataRates: Record<string, number> };
  ns: { uplinksAccepted: number; duplicates: number; retransmissions: number; rejected: Record<string, number> };
  /** One row per gateway, in DevEUI order. */
  perGateway: GatewayRow[];
  wallSeconds: number;
}

export interface GatewayRow {
  devEui: string;
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

const MINUTE = 60_000;
/** One data frame in this many is also checked by lora-packet at the network server; a disagreement fails the run. */
const CROSS_CHECK_EVERY = 1000;
const JOIN_EUI = '70b3d57ed0000000';

/** Log-distance path loss with lognormal shadowing, dB (see the file comment). */
function pathLossDb(distanceKm: number, shadowDb: number): number {
  return 120 + 35 * Math.log10(Math.max(distanceKm, 0.05)) + shadowDb;
}

/** A standard normal draw (Box–Muller) from a uniform generator. */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** An alert event as both ends know it: the uplink carries its time in whole seconds. */
function alertKey(devEui: string, a: { rule: string; level: string; state: string; t: number }): string {
  return `${devEui}/${a.rule}/${a.level}/${a.state}@${Math.floor(a.t / 1000)}`;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export async function runFleet(options: FleetOptions): Promise<FleetReport> {
  const started = Date.now();
  const seed = options.seed ?? 1;
  const random = mulberry32(seed * 7919 + 17);
  const site = options.site;
  const siteRegion = site.uplink.kind === 'lorawan' ? site.uplink.region : undefined;
  const regionName = options.region ?? siteRegion;
  if (regionName === undefined) throw new RangeError(`site ${site.id} has no LoRaWAN uplink: give the fleet a region`);
  const region = createRegion(regionName);
  const hours = options.hours ?? 6;
  const totalMinutes = hours * 60 + (options.drainMinutes ?? 20);
  const area = options.areaKm ?? 3;
  const clock = new VirtualClock({ unixEpochMs: Date.UTC(2026, 6, 15, 0) });
  const channel = new SimulatedLoraChannel(clock, { seed, keepLog: false });
  const table = siteChannelTable(site, options.manifests);
  const uplinkConfig = site.uplink.kind === 'lorawan' ? site.uplink : undefined;

  const stations = Array.from({ length: options.baseStations ?? 1 }, (_, k) => ({ id: `bs-${k + 1}`, x: random() * area, y: random() * area }));
  const members = Array.from({ length: options.gateways }, (_, i) => {
    const x = random() * area;
    const y = random() * area;
    const loss = new Map(stations.map((s) => [s.id, pathLossDb(Math.hypot(s.x - x, s.y - y), 6 * normal(random))]));
    const devEui = `0004a30b${(0x200000 + i).toString(16).padStart(8, '0')}`;
    // Each gateway its own AppKey (the last 32 bits spread by a Weyl step), so no two sessions share keys.
    const appKey = `2b7e151628aed2a6abf71588${(Math.imul(i + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}`;
    return { index: i, devEui, appKey, loss, startAtMs: Math.floor(random() * 2 * MINUTE) };
  });

  const registry = parseRegistry({
    region: regionName,
    netId: '000013',
    applications: { city: { channels: table } },
    devices: members.map((m) => ({ name: `axon-${m.index + 1}`, application: 'city', devEui: m.devEui, joinEui: JOIN_EUI, appKey: m.appKey })),
  }, { defaultApplication: 'city' });
  // Our core verifies and decrypts every frame; lora-packet checks 1 in 1,000 (and every join) independently.
  const ns = new LoraNetworkServer({ registry: new DeviceRegistry(registry.devices), network: registry.network, clock, adr: true, crossCheckEvery: CROSS_CHECK_EVERY });
  // Frames heard per minute (by any station; one frame heard by two stations counts once).
  const uplinkMinutes = new Map<number, number>();
  const heard = new Set<string>();
  const attachments = stations.map((s) => {
    const station = channel.addGateway({ id: s.id });
    // Set before the server attaches, which chains it: every reception is counted, whatever the server makes of it.
    station.onUplink = (u) => {
      const key = `${u.deviceId}@${u.startMs}`;
      if (heard.has(key)) return;
      heard.add(key);
      const minute = Math.floor(u.startMs / MINUTE);
      uplinkMinutes.set(minute, (uplinkMinutes.get(minute) ?? 0) + 1);
    };
    return attachToRadioGateway(ns, station);
  });

  // What the network decoded, and when (clock ms): readings by key, alerts for the latency figures.
  // Per gateway, every reading decoded, as one number (time in s × 4096 + channel, < 2^53): a
  // day of a large fleet is tens of millions of readings, and a string key each would not fit.
  const decodedReadings = new Map<string, { seen: Set<number>; repeated: Set<number> }>();
  let decodedTotal = 0;
  const decodedAlertAt = new Map<string, number>();
  ns.onEvent((event) => {
    options.onNetworkEvent?.(event, clock.now());
    if (event.type !== 'up' || event.decoded === undefined) return;
    const dev = event.device.devEuiHex;
    const decoded = event.decoded;
    if (decoded.type === 'batch') {
      let readings = decodedReadings.get(dev);
      if (readings === undefined) decodedReadings.set(dev, (readings = { seen: new Set(), repeated: new Set() }));
      for (const r of decoded.readings) {
        const key = (r.t / 1000) * 4096 + r.channel;
        if (readings.seen.has(key)) readings.repeated.add(key);
        else {
          readings.seen.add(key);
          decodedTotal++;
        }
      }
    } else if (decoded.type === 'alert') {
      const a = decoded.alert;
      const key = alertKey(dev, a);
      if (!decodedAlertAt.has(key)) decodedAlertAt.set(key, clock.now());
    }
  });
  const raisedAt = new Map<string, number>();

  const fleet = members.map((m) => {
    const cipher = new NodeBlockCipher();
    const mac = new LoraWanMac({
      region,
      radio: channel.createDeviceRadio({ id: `axon-${m.index + 1}`, pathLossDb: (bs) => m.loss.get(bs) ?? Infinity }),
      clock,
      cipher,
      store: new MemoryKeyValueStore(),
      credentials: { activation: 'otaa', devEui: fromHex(m.devEui), joinEui: fromHex(JOIN_EUI), appKey: fromHex(m.appKey) },
      adr: uplinkConfig?.adr ?? true,
      ...(uplinkConfig?.dataRate === undefined ? {} : { dataRate: uplinkConfig.dataRate }),
      seed: seed * 100_003 + m.index,
    });
    const uplink = new LoraWanUplink(mac);
    const sim = simulateSite(site, options.manifests, clock, { seed: seed * 1_000_003 + m.index * 7919 });
    const gateway = new Gateway({
      site,
      manifests: options.manifests,
      clock,
      openPort: (bus) => sim.openPort(bus),
      files: new MemoryFileSystem(),
      meta: new MemoryKeyValueStore(),
      uplink,
      ...(options.flushMinutes === undefined ? {} : { flushEveryMs: options.flushMinutes * MINUTE }),
      onEvent: (event) => {
        if (event.kind !== 'alert') return;
        const a = event.alert;
        raisedAt.set(alertKey(m.devEui, a), clock.now());
      },
    });
    clock.schedule(m.startAtMs, () => gateway.start());
    return { m, mac, gateway, sim };
  });

  const every = (options.progressEveryMinutes ?? 30) * MINUTE;
  const report = () => {
    let alertsDecoded = 0;
    for (const key of decodedAlertAt.keys()) if (raisedAt.has(key)) alertsDecoded++;
    return { joined: fleet.filter((g) => g.mac.joined).length, decodedReadings: decodedTotal, alertsDecoded };
  };
  for (let ms = every; ms < hours * 60 * MINUTE; ms += every) {
    await clock.advanceTo(ms);
    options.onProgress?.({ minute: ms / MINUTE, totalMinutes, ...report() });
  }
  await clock.advanceTo(hours * 60 * MINUTE);
  // The end of operation: frame what is queued, then let the logs drain while polling goes on.
  for (const g of fleet) g.gateway.flush();
  await clock.advanceTo(totalMinutes * MINUTE);
  options.onProgress?.({ minute: totalMinutes, totalMinutes, ...report() });

  const stats = fleet.map((g) => g.gateway.stats());
  let samples = 0;
  let queuedSamples = 0;
  let pendingFrames = 0;
  let pendingAlerts = 0;
  let droppedReadings = 0;
  let alertEvents = 0;
  let raised = 0;
  for (const s of stats) {
    samples += s.samples;
    queuedSamples += s.queuedSamples;
    pendingFrames += s.store.pendingReadings;
    pendingAlerts += s.store.pendingAlerts;
    droppedReadings += s.store.droppedReadings;
    alertEvents += s.alerts;
  }
  for (const key of raisedAt.keys()) if (key.includes('/raised@')) raised++;
  const latencies: number[] = [];
  for (const [key, at] of raisedAt) {
    const decodedAt = decodedAlertAt.get(key);
    if (decodedAt !== undefined) latencies.push(decodedAt - at);
  }
  latencies.sort((a, b) => a - b);
  let duplicated = 0;
  for (const readings of decodedReadings.values()) duplicated += readings.repeated.size;
  const dataRates: Record<string, number> = {};
  const macTotals = { uplinks: 0, retransmissions: 0, confirmedFailed: 0, joinRequests: 0 };
  for (const g of fleet) {
    const c = g.mac.counters;
    macTotals.uplinks += c.uplinks;
    macTotals.retransmissions += c.retransmissions;
    macTotals.confirmedFailed += c.confirmedFailed;
    macTotals.joinRequests += c.joinRequests;
    const dr = `DR${g.mac.dataRate}`;
    dataRates[dr] = (dataRates[dr] ?? 0) + 1;
  }

  const perGateway: GatewayRow[] = fleet.map((g, i) => ({
    devEui: g.m.devEui,
    pathLossDb: Math.round(Math.min(...g.m.loss.values()) * 10) / 10,
    dataRate: g.mac.dataRate,
    samples: stats[i].samples,
    queuedSamples: stats[i].queuedSamples,
    readingsDecoded: decodedReadings.get(g.m.devEui)?.seen.size ?? 0,
    alertEvents: stats[i].alerts,
    frames: g.mac.counters.uplinks,
    retransmissions: g.mac.counters.retransmissions,
    confirmedFailed: g.mac.counters.confirmedFailed,
  }));
  // Every figure is taken now: closing a gateway frames and sends what it still holds, which the samples above do not count.
  const readingsDecoded = decodedTotal;
  for (const g of fleet) {
    await clock.run(g.gateway.close());
    g.sim.close();
    g.mac.close();
  }
  for (const a of attachments) a.detach();

  return {
    gateways: options.gateways,
    baseStations: stations.length,
    devices: options.gateways * site.buses.reduce((n, b) => n + b.devices.length, 0),
    region: regionName,
    simulatedHours: hours,
    seed,
    joined: fleet.filter((g) => g.mac.joined).length,
    samples,
    readingsDecoded,
    readingsDuplicated: duplicated,
    inFlight: { queuedSamples, pendingFrames, pendingAlerts },
    droppedReadings,
    deliveryRatio: samples - queuedSamples === 0 ? 1 : readingsDecoded / (samples - queuedSamples),
    alerts: {
      raised,
      events: alertEvents,
      decoded: latencies.length,
      latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: latencies.length === 0 ? 0 : latencies[latencies.length - 1] },
    },
    air: { uplinks: channel.stats.uplinks, downlinks: channel.stats.downlinks, receptions: { ...channel.stats.receptions }, busiestMinuteUplinks: Math.max(0, ...uplinkMinutes.values()) },
    mac: { ...macTotals, dataRates },
    ns: { uplinksAccepted: ns.stats.uplinksAccepted, duplicates: ns.stats.duplicates, retransmissions: ns.stats.retransmissions, rejected: { ...ns.stats.rejected } },
    perGateway,
    wallSeconds: (Date.now() - started) / 1000,
  };
}
