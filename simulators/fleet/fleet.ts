/**
 * A fleet of Axon gateways in virtual time: N gateways, each the real core
 * (Gateway, scheduler, drivers, rules, batches, store-and-forward log, our
 * LoRaWAN class A MAC) on its own simulated site, all sending over one
 * simulated LoRa channel (collisions, capture, inter-SF interference, path
 * loss) to K base stations (8-channel concentrators with 16 demodulators and
 * the region's downlink duty cycle; see base-stations.ts) and one
 * network-server simulator (lora-packet side, ADR, dedup across base
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
import { fromHex, toHex } from '../../drivers/bytes.js';
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
import { alertsIn } from '../../sdk/codec/decode-uplink.js';
import type { NsEvent } from '../lorawan-ns/events.js';
import { LoraNetworkServer } from '../lorawan-ns/network-server.js';
import { attachAckService } from '../ack-service/in-process.js';
import { attachToRadioGateway, DownlinkRouter } from '../lorawan-ns/radio-gateway.js';
import { DeviceRegistry } from '../lorawan-ns/registry.js';
import { parseRegistry } from '../lorawan-ns/registry-file.js';
import { mulberry32 } from '../models/prng.js';
import { SimulatedLoraChannel, SX1302_DEMODULATORS } from '../radio/index.js';
import type { GatewayStats, ReceptionOutcome } from '../radio/types.js';
import { simulateSite } from '../site-sim.js';
import { baseStationOptions, subBandChannels } from './base-stations.js';
import { lossesByResource, resourcesRunOut, type LossesByResource } from './losses.js';

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
  /**
   * Sub-bands of 8 channels the base stations use (default 1: every station
   * hears the same 8; more: station k hears sub-band k mod n, frequency reuse).
   * Each gateway is provisioned with its nearest station's sub-band.
   */
  subBands?: number;
  /** Demodulators per base station (default 16, an SX1302's). */
  demodulators?: number;
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
  inFlight: {
    queuedSamples: number; pendingFrames: number; pendingAlerts: number;
    /** Sent and decoded, kept in the logs until the platform's next data-ack (docs/app-ack.md); not counted in pendingFrames. */
    awaitingAck: number;
  };
  droppedReadings: number;
  /** readingsDecoded / (samples − queuedSamples): 1 means everything framed arrived. */
  deliveryRatio: number;
  alerts: { raised: number; events: number; decoded: number; latencyMs: { p50: number; p95: number; max: number } };
  air: { uplinks: number; downlinks: number; receptions: Record<ReceptionOutcome, number>; busiestMinuteUplinks: number };
  /** Receptions lost and downlinks refused over the run, by the base-station resource that ran out. */
  losses: LossesByResource;
  /** The resources that ran out (cost ≥ 1 % of receptions or downlinks; losses.ts), most first: 'airtime', 'demodulators', 'half-duplex', 'duty-cycle'. */
  limitedBy: string[];
  /** One row per base station: its sub-band, what it heard and lost by cause, what it sent and refused. */
  perBaseStation: BaseStationRow[];
  mac: { uplinks: number; retransmissions: number; confirmedFailed: number; joinRequests: number; dataRates: Record<string, number> };
  ns: { uplinksAccepted: number; duplicates: number; retransmissions: number; rejected: Record<string, number> };
  /** One row per gateway, in DevEUI order. */
  perGateway: GatewayRow[];
  wallSeconds: number;
}

export interface BaseStationRow extends GatewayStats {
  id: string;
  /** Uplink channel indexes its concentrator listens on. */
  channels: number[];
  /** Gateways provisioned with its sub-band because it is their nearest station. */
  gateways: number;
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

  const subBands = options.subBands ?? 1;
  const stations = Array.from({ length: options.baseStations ?? 1 }, (_, k) => ({ id: `bs-${k + 1}`, x: random() * area, y: random() * area, subBand: k % subBands }));
  const members = Array.from({ length: options.gateways }, (_, i) => {
    const x = random() * area;
    const y = random() * area;
    const loss = new Map(stations.map((s) => [s.id, pathLossDb(Math.hypot(s.x - x, s.y - y), 6 * normal(random))]));
    const nearest = stations.reduce((best, s) => ((loss.get(s.id) ?? Infinity) < (loss.get(best.id) ?? Infinity) ? s : best));
    const devEui = `0004a30b${(0x200000 + i).toString(16).padStart(8, '0')}`;
    // Each gateway its own AppKey (the last 32 bits spread by a Weyl step), so no two sessions share keys.
    const appKey = `2b7e151628aed2a6abf71588${(Math.imul(i + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}`;
    return { index: i, devEui, appKey, loss, startAtMs: Math.floor(random() * 2 * MINUTE), station: nearest.id, channels: subBandChannels(region, nearest.subBand) };
  });
  const memberChannels = new Map(members.map((m) => [m.devEui, m.channels]));

  const registry = parseRegistry({
    region: regionName,
    netId: '000013',
    applications: { city: { channels: table } },
    devices: members.map((m) => ({ name: `axon-${m.index + 1}`, application: 'city', devEui: m.devEui, joinEui: JOIN_EUI, appKey: m.appKey })),
  }, { defaultApplication: 'city' });
  // The network server holds each device to its sub-band (join accept CFList, LinkADRReq masks).
  const devices = registry.devices.map((d) => ({ ...d, uplinkChannels: memberChannels.get(toHex(d.devEui)) }));
  const ns = new LoraNetworkServer({ registry: new DeviceRegistry(devices), network: registry.network, clock, adr: true });
  // Frames heard per minute (by any station; one frame heard by two stations counts once).
  const uplinkMinutes = new Map<number, number>();
  const heard = new Set<string>();
  // Each downlink through the station that heard the device best, as a real network server picks.
  const router = new DownlinkRouter(clock);
  const attachments = stations.map((s) => {
    const station = channel.addGateway(baseStationOptions(region, s.id, s.subBand, options.demodulators ?? SX1302_DEMODULATORS));
    // Set before the server attaches, which chains it: every reception is counted, whatever the server makes of it.
    station.onUplink = (u) => {
      const key = `${u.deviceId}@${u.startMs}`;
      if (heard.has(key)) return;
      heard.add(key);
      const minute = Math.floor(u.startMs / MINUTE);
      uplinkMinutes.set(minute, (uplinkMinutes.get(minute) ?? 0) + 1);
    };
    return { station, attachment: attachToRadioGateway(ns, station, router) };
  });

  // What the network decoded, and when (clock ms): readings by key, alerts for the latency figures.
  // Per gateway, every reading decoded, as one number (time in s × 4096 + channel, < 2^53): a
  // day of a large fleet is tens of millions of readings, and a string key each would not fit.
  // It names one reading: batch times are whole seconds, and no two readings of a channel share
  // one (drivers/batch/stamps.ts), so a key seen again is a resent copy, the platform's rule.
  const decodedReadings = new Map<string, { seen: Set<number>; repeated: Set<number> }>();
  let decodedTotal = 0;
  const decodedAlertAt = new Map<string, number>();
  // The platform's ack service (docs/app-ack.md): attached first, so its data-acks ride the uplink's own window.
  const acks = attachAckService(ns);
  ns.onEvent((event) => {
    options.onNetworkEvent?.(event, clock.now());
    if (event.type !== 'up' || event.decoded === undefined) return;
    // A resend after a lost data-ack: the platform already has its readings.
    if (acks.verdictOf(event)?.duplicate === true) return;
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
    } else {
      // An alert, or an alert group: each alert counts from when its frame was decoded.
      for (const a of alertsIn(decoded)) {
        const key = alertKey(dev, a);
        if (!decodedAlertAt.has(key)) decodedAlertAt.set(key, clock.now());
      }
    }
  });
  const raisedAt = new Map<string, number>();

  const fleet = members.map((m) => {
    const cipher = new NodeBlockCipher();
    const mac = new LoraWanMac({
      region,
      radio: channel.createDeviceRadio({ id: `axon-${m.index + 1}`, pathLossDb: (bs) => m.loss.get(bs) ?? Infinity }),
      channels: m.channels,
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
  // The reported period ends here: the air, network and wall-time figures are taken now, before closing sends anything.
  const wallSeconds = (Date.now() - started) / 1000;
  const air = { uplinks: channel.stats.uplinks, downlinks: channel.stats.downlinks, receptions: { ...channel.stats.receptions }, busiestMinuteUplinks: Math.max(0, ...uplinkMinutes.values()) };
  const nsStats = { uplinksAccepted: ns.stats.uplinksAccepted, duplicates: ns.stats.duplicates, retransmissions: ns.stats.retransmissions, rejected: { ...ns.stats.rejected } };
  const provisioned = (id: string) => members.filter((m) => m.station === id).length;
  const perBaseStation: BaseStationRow[] = stations.map((s, k) => ({ id: s.id, channels: subBandChannels(region, s.subBand), gateways: provisioned(s.id), ...attachments[k].station.stats }));
  const losses = lossesByResource(perBaseStation);

  const stats = fleet.map((g) => g.gateway.stats());
  let samples = 0;
  let queuedSamples = 0;
  let pendingFrames = 0;
  let awaitingAck = 0;
  let pendingAlerts = 0;
  let droppedReadings = 0;
  let alertEvents = 0;
  let raised = 0;
  for (const s of stats) {
    samples += s.samples;
    queuedSamples += s.queuedSamples;
    pendingFrames += s.store.pendingReadings - (s.uplink.awaitingAck ?? 0);
    awaitingAck += s.uplink.awaitingAck ?? 0;
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
  // All at once, as the end of one run: closing one gateway at a time let the others run on (68 simulated minutes at 100).
  await clock.run(Promise.all(fleet.map((g) => g.gateway.close())));
  for (const g of fleet) {
    g.sim.close();
    g.mac.close();
  }
  for (const a of attachments) a.attachment.detach();
  acks.detach();

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
    inFlight: { queuedSamples, pendingFrames, pendingAlerts, awaitingAck },
    droppedReadings,
    deliveryRatio: samples - queuedSamples === 0 ? 1 : readingsDecoded / (samples - queuedSamples),
    alerts: {
      raised,
      events: alertEvents,
      decoded: latencies.length,
      latencyMs: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: latencies.length === 0 ? 0 : latencies[latencies.length - 1] },
    },
    air,
    losses,
    limitedBy: resourcesRunOut(losses, perBaseStation),
    perBaseStation,
    mac: { ...macTotals, dataRates },
    ns: nsStats,
    perGateway,
    wallSeconds,
  };
}
