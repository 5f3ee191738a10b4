/**
 * One cell of a district in virtual time: its base stations, its Axon
 * gateways (each the real core on its own simulated site) and its direct
 * end devices, one simulated LoRa channel and one network server, on the
 * cell's own VirtualClock. Cells share nothing, so a cell gives the same part
 * whichever process runs it and whatever ran before it.
 *
 * Statistics are streamed, so memory follows the devices, not the readings:
 * a reading is remembered only while it is in flight (taken, not yet decoded),
 * an alert only until it is decoded, latencies go into a histogram, and the
 * per-minute uplink counts are one number a minute.
 */
import { fromHex, toHex } from '../../drivers/bytes.js';
import { BatchEncoder } from '../../drivers/batch/encoder.js';
import { findChannel, type ChannelTable } from '../../drivers/batch/channels.js';
import type { DeviceManifest } from '../../drivers/devices/manifest.js';
import type { AlertEvent } from '../../drivers/gateway/events.js';
import { Gateway } from '../../drivers/gateway/gateway.js';
import type { SiteFile } from '../../drivers/gateway/site.js';
import { LoraWanMac, LoraWanUplink, seededRandom } from '../../drivers/lorawan/mac/index.js';
import type { Region, RegionName } from '../../drivers/lorawan/regions/types.js';
import { MemoryKeyValueStore } from '../../drivers/ports/storage.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { MemoryFileSystem } from '../../drivers/store/memory-file-system.js';
import { NodeBlockCipher } from '../../firmware/rpi/ports/node-cipher.js';
import { attachAckService } from '../ack-service/in-process.js';
import type { NsEvent } from '../lorawan-ns/events.js';
import { LoraNetworkServer } from '../lorawan-ns/network-server.js';
import { alertsIn } from '../../sdk/codec/decode-uplink.js';
import { attachToRadioGateway, DownlinkRouter } from '../lorawan-ns/radio-gateway.js';
import { parseRegistry } from '../lorawan-ns/registry-file.js';
import { DeviceRegistry } from '../lorawan-ns/registry.js';
import { mulberry32 } from '../models/prng.js';
import { SimulatedLoraChannel, SX1302_DEMODULATORS } from '../radio/index.js';
import { simulateSiteImage } from '../register-image.js';
import { simulateSite } from '../site-sim.js';
import { baseStationOptions, subBandChannels } from './base-stations.js';
import type { CellPlan, PlannedDevice } from './district.js';
import { END_DEVICE_KINDS, endDeviceTable, SimulatedEndDevice } from './end-device.js';
import { LatencyHistogram } from './latency-histogram.js';
import { ReadingLedger } from './ledger.js';
import { Timeline } from './timeline.js';
import type { BaseStationRow, CellCounts, CellPart, GatewayRow } from './report.js';

const MINUTE = 60_000;
const JOIN_EUI = '70b3d57ed0000000';
/** One data frame in this many is also checked by lora-packet at the network server; a disagreement fails the run. */
const CROSS_CHECK_EVERY = 1000;
/**
 * One gateway in this many (by district index, gateway 0 included) keeps the byte-level RS-485 wire under
 * `wire: 'image'`; the others' field devices answer from their register image (simulators/register-image.ts).
 */
export const BYTE_LEVEL_WIRE_EVERY = 100;

export interface CellRunOptions {
  region: Region;
  regionName: RegionName;
  site: SiteFile;
  manifests: ReadonlyMap<string, DeviceManifest>;
  /** The gateways' channel table (what the network decodes their frames with). */
  table: ChannelTable;
  /** Demodulators per base station (default 16, an SX1302's). */
  demodulators?: number;
  /** How end devices are activated (default 'otaa': each joins; 'abp': personalised at installation, no join). */
  endDeviceActivation?: 'otaa' | 'abp';
  /** How the gateways' field devices are simulated: 'image' (default; a sample on the byte-level wire) or 'full' (every gateway on the wire). */
  wire?: 'image' | 'full';
  hours: number;
  drainMinutes: number;
  flushMinutes?: number;
  seed: number;
  progressEveryMinutes: number;
  onProgress?: (progress: CellProgress) => void;
  onNetworkEvent?: (event: NsEvent, atMs: number) => void;
}

export interface CellProgress {
  cell: number;
  minute: number;
  totalMinutes: number;
  joined: number;
  decodedReadings: number;
  alertsDecoded: number;
}

/** An alert event as both ends know it: the uplink carries its time in whole seconds. */
function alertKey(devEui: string, a: { rule: string; level: string; state: string; t: number }): string {
  return `${devEui}/${a.rule}/${a.level}/${a.state}@${Math.floor(a.t / 1000)}`;
}

/**
 * ABP keys of end device `j`: a DevAddr in the upper half of the NetID's
 * address space (OTAA joins are given addresses from the bottom up) and
 * session keys of its own, spread like the AppKeys.
 */
function abpKeys(j: number, netId: number): { devAddr: number; nwkSKey: string; appSKey: string } {
  const spread = (Math.imul(j + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  return { devAddr: (((netId & 0x7f) << 25) | 0x100_0000 | j) >>> 0, nwkSKey: `5d1a0c3e7b2f4968a0b1c2d3${spread}`, appSKey: `6e2b1d4f8c3a5a79b1c2d3e4${spread}` };
}
const NET_ID = 0x000013;

export async function runCell(plan: CellPlan, o: CellRunOptions): Promise<CellPart> {
  const clock = new VirtualClock({ unixEpochMs: Date.UTC(2026, 6, 15, 0) });
  const channel = new SimulatedLoraChannel(clock, { seed: plan.channelSeed, keepLog: false });
  const uplinkConfig = o.site.uplink.kind === 'lorawan' ? o.site.uplink : undefined;
  const totalMinutes = o.hours * 60 + o.drainMinutes;
  // The gateways' encoders quantise time to their step; the ledger keys readings the same way.
  const stepMs = new BatchEncoder(o.table).stepS * 1000;
  // Readings and alerts over simulated time; a reading's bucket is that of its step, the same at both ends.
  const timeline = new Timeline(totalMinutes);
  const epochMs = clock.unixTimeMs() - clock.now();
  const runMsOf = (unixMs: number) => Math.floor(unixMs / stepMs) * stepMs - epochMs;

  const kindTables = END_DEVICE_KINDS.map(endDeviceTable);
  const applications: Record<string, { channels: ChannelTable }> = { city: { channels: o.table } };
  END_DEVICE_KINDS.forEach((k, i) => (applications[k.id] = { channels: kindTables[i] }));
  // Each device is provisioned with its nearest station's sub-band; the network server holds it there (join accept CFList, LinkADRReq masks).
  const channelsOf = (m: PlannedDevice) => subBandChannels(o.region, m.station.subBand);
  const deviceChannels = new Map([...plan.gateways, ...plan.endDevices].map((m) => [m.devEui, channelsOf(m)]));
  const registry = parseRegistry({
    region: o.regionName,
    netId: NET_ID.toString(16).padStart(6, '0'),
    applications,
    devices: [
      ...plan.gateways.map((m) => ({ name: `axon-${m.index + 1}`, application: 'city', devEui: m.devEui, joinEui: JOIN_EUI, appKey: m.appKey })),
      ...plan.endDevices.map((m) => {
        const common = { name: `${END_DEVICE_KINDS[m.kind].id}-${m.index + 1}`, application: END_DEVICE_KINDS[m.kind].id, devEui: m.devEui };
        if (o.endDeviceActivation !== 'abp') return { ...common, joinEui: JOIN_EUI, appKey: m.appKey };
        const abp = abpKeys(m.index, NET_ID);
        return { ...common, devAddr: abp.devAddr.toString(16).padStart(8, '0'), nwkSKey: abp.nwkSKey, appSKey: abp.appSKey };
      }),
    ],
  }, { defaultApplication: 'city' });
  // Our core verifies and decrypts every frame; lora-packet checks 1 in 1,000 (and every join) independently.
  const devices = registry.devices.map((d) => ({ ...d, uplinkChannels: deviceChannels.get(toHex(d.devEui)) }));
  // The fleet reads `decoded` (the sdk decoder) in process and publishes no MQTT: no codec run per uplink.
  const ns = new LoraNetworkServer({ registry: new DeviceRegistry(devices), network: registry.network, clock, adr: true, crossCheckEvery: CROSS_CHECK_EVERY, payloadCodecs: false });

  // Frames heard per minute (by any station; one frame heard by several stations counts once). All stations
  // hear a transmission at its end, in one go: only the receptions of the current instant are remembered.
  const uplinksPerMinute: number[] = [];
  let heardAt = -1;
  const heardNow = new Set<string>();
  // Each downlink through the station that heard the device best, as a real network server picks.
  const router = new DownlinkRouter(clock);
  const attachments = plan.stations.map((s) => {
    const station = channel.addGateway(baseStationOptions(o.region, s.id, s.subBand, o.demodulators ?? SX1302_DEMODULATORS));
    // Set before the server attaches, which chains it: every reception is counted, whatever the server makes of it.
    station.onUplink = (u) => {
      if (clock.now() !== heardAt) {
        heardAt = clock.now();
        heardNow.clear();
      }
      const key = `${u.deviceId}@${u.startMs}`;
      if (heardNow.has(key)) return;
      heardNow.add(key);
      const minute = Math.floor(u.startMs / MINUTE);
      uplinksPerMinute[minute] = (uplinksPerMinute[minute] ?? 0) + 1;
      timeline.uplink(u.startMs);
    };
    return { station, attachment: attachToRadioGateway(ns, station, router) };
  });

  // Every device's ledger, made with its channel table; a device the cell does not know has nothing in flight.
  const ledgers = new Map<string, ReadingLedger>();
  const ledgerOf = (devEui: string, table?: ChannelTable) => {
    let ledger = ledgers.get(devEui);
    if (ledger === undefined) ledgers.set(devEui, (ledger = new ReadingLedger(table?.channels.length ?? 0, stepMs)));
    return ledger;
  };
  let decodedTotal = 0;
  let alertsRaised = 0;
  let alertsDecoded = 0;
  const latency = new LatencyHistogram();
  /** Alerts raised and not yet decoded: key → clock ms raised. */
  const alertsInFlight = new Map<string, number>();
  const onAlertRaised = (devEui: string, a: AlertEvent) => {
    const key = alertKey(devEui, a);
    if (a.state === 'raised' && !alertsInFlight.has(key)) {
      alertsRaised++;
      timeline.alertRaised(clock.now());
    }
    alertsInFlight.set(key, clock.now());
  };
  // The platform's ack service (docs/app-ack.md): attached first, so its data-acks ride the uplink's own window.
  const acks = attachAckService(ns);
  ns.onEvent((event) => {
    o.onNetworkEvent?.(event, clock.now());
    if (event.type !== 'up' || event.decoded === undefined) return;
    // A resend after a lost data-ack: the platform already has its readings.
    if (acks.verdictOf(event)?.duplicate === true) return;
    const dev = event.device.devEuiHex;
    const decoded = event.decoded;
    if (decoded.type === 'batch') {
      const ledger = ledgerOf(dev);
      for (const r of decoded.readings) {
        if (ledger.take(r.t, r.channel)) {
          timeline.decoded(runMsOf(r.t));
          decodedTotal++;
        }
      }
    } else {
      // An alert, or an alert group: each alert counts from when its frame was decoded.
      for (const a of alertsIn(decoded)) {
        const key = alertKey(dev, a);
        const raisedAt = alertsInFlight.get(key);
        if (raisedAt === undefined) continue; // a repeat of one already decoded
        alertsInFlight.delete(key);
        alertsDecoded++;
        latency.record(clock.now() - raisedAt);
      }
    }
  });

  const cipher = new NodeBlockCipher();
  const macFor = (m: PlannedDevice, name: string, seed: number, adr: boolean, dataRate: number | undefined, abp?: ReturnType<typeof abpKeys>) =>
    new LoraWanMac({
      region: o.region,
      radio: channel.createDeviceRadio({ id: name, pathLossDb: (bs) => m.lossDb[bs] ?? Infinity }),
      channels: channelsOf(m),
      clock,
      cipher,
      store: new MemoryKeyValueStore(),
      credentials: abp === undefined
        ? { activation: 'otaa', devEui: fromHex(m.devEui), joinEui: fromHex(JOIN_EUI), appKey: fromHex(m.appKey) }
        : { activation: 'abp', devAddr: abp.devAddr, nwkSKey: fromHex(abp.nwkSKey), appSKey: fromHex(abp.appSKey) },
      adr,
      ...(dataRate === undefined ? {} : { dataRate }),
      seed,
    });

  let byteLevelGateways = 0;
  const fleet = plan.gateways.map((m) => {
    const mac = macFor(m, `axon-${m.index + 1}`, o.seed * 100_003 + m.index, uplinkConfig?.adr ?? true, uplinkConfig?.dataRate);
    const devices = { seed: o.seed * 1_000_003 + m.index * 7919, keepWireEvents: 0 };
    const byteLevel = o.wire === 'full' || m.index % BYTE_LEVEL_WIRE_EVERY === 0;
    const sim = byteLevel ? simulateSite(o.site, o.manifests, clock, devices) : simulateSiteImage(o.site, o.manifests, clock, devices);
    if (byteLevel) byteLevelGateways++;
    const ledger = ledgerOf(m.devEui, o.table);
    const gateway = new Gateway({
      site: o.site,
      manifests: o.manifests,
      clock,
      openPort: (bus) => sim.openPort(bus),
      files: new MemoryFileSystem(),
      meta: new MemoryKeyValueStore(),
      uplink: new LoraWanUplink(mac),
      random: seededRandom((o.seed * 100_003 + m.index) ^ 0x5bd1e995),
      ...(o.flushMinutes === undefined ? {} : { flushEveryMs: o.flushMinutes * MINUTE }),
      onEvent: (event) => {
        if (event.kind === 'alert') onAlertRaised(m.devEui, event.alert);
        else if (event.kind === 'poll') {
          // The readings the gateway queued for batches, as the network will decode them.
          const poll = event.poll;
          for (const point of Object.keys(poll.readings)) {
            if (!poll.readings[point].ok) continue;
            const ch = findChannel(o.table, poll.device, point);
            if (ch === undefined) continue;
            ledger.add(poll.t, ch.index);
            timeline.taken(runMsOf(poll.t));
          }
        }
      },
    });
    clock.schedule(m.startAtMs, () => gateway.start());
    return { m, mac, gateway, sim, ledger };
  });

  const endDevices = plan.endDevices.map((m) => {
    const kind = END_DEVICE_KINDS[m.kind];
    const table = kindTables[m.kind];
    const ledger = ledgerOf(m.devEui, table);
    const mac = macFor(m, `${kind.id}-${m.index + 1}`, o.seed * 100_019 + m.index, true, undefined, o.endDeviceActivation === 'abp' ? abpKeys(m.index, NET_ID) : undefined);
    const device = new SimulatedEndDevice({
      kind,
      table,
      mac,
      clock,
      random: mulberry32(o.seed * 2_000_003 + m.index * 7927),
      onAlert: (alert) => onAlertRaised(m.devEui, alert),
      onReadings: (t, channels) => {
        for (const ch of channels) ledger.add(t, ch);
        timeline.taken(runMsOf(t), channels.length);
      },
    });
    clock.schedule(m.startAtMs, () => device.start());
    return device;
  });

  const progress = () => ({
    cell: plan.index,
    totalMinutes,
    joined: fleet.filter((g) => g.mac.joined).length + endDevices.filter((d) => d.mac.joined).length,
    decodedReadings: decodedTotal,
    alertsDecoded,
  });
  const every = o.progressEveryMinutes * MINUTE;
  for (let ms = every; ms < o.hours * 60 * MINUTE; ms += every) {
    await clock.advanceTo(ms);
    o.onProgress?.({ minute: ms / MINUTE, ...progress() });
  }
  await clock.advanceTo(o.hours * 60 * MINUTE);
  // The end of operation: frame what is queued, then let the logs drain while polling goes on.
  for (const g of fleet) g.gateway.flush();
  await clock.advanceTo(totalMinutes * MINUTE);
  o.onProgress?.({ minute: totalMinutes, ...progress() });
  // The reported period ends here: every figure below is taken now, before closing sends anything.
  const perBaseStation: BaseStationRow[] = plan.stations.map((s, k) => ({
    id: s.id,
    x: s.x,
    y: s.y,
    channels: subBandChannels(o.region, s.subBand),
    gateways: plan.gateways.filter((m) => m.station.id === s.id).length,
    endDevices: plan.endDevices.filter((m) => m.station.id === s.id).length,
    ...attachments[k].station.stats,
  }));

  const counts: CellCounts = {
    gateways: plan.gateways.length,
    byteLevelGateways,
    endDevices: plan.endDevices.length,
    baseStations: plan.stations.length,
    sensors: plan.gateways.length * o.site.buses.reduce((n, b) => n + b.devices.length, 0) + plan.endDevices.length,
    joined: progress().joined,
    samples: 0, readingsDecoded: decodedTotal, readingsDuplicated: 0,
    queuedSamples: 0, pendingFrames: 0, awaitingAck: 0, pendingAlerts: 0, droppedReadings: 0,
    alertEvents: 0, alertsRaised, alertsDecoded, endDeviceReports: 0, endDeviceSendFailures: 0,
    airUplinks: channel.stats.uplinks, airDownlinks: channel.stats.downlinks, receptions: { ...channel.stats.receptions },
    macUplinks: 0, macRetransmissions: 0, macConfirmedFailed: 0, macJoinRequests: 0, dataRates: {},
    nsUplinksAccepted: ns.stats.uplinksAccepted, nsDuplicates: ns.stats.duplicates, nsRetransmissions: ns.stats.retransmissions,
    nsRejected: { ...ns.stats.rejected }, cryptoOperations: ns.crossChecks.operations, crossChecked: ns.crossChecks.crossChecked,
  };
  for (const ledger of ledgers.values()) counts.readingsDuplicated += ledger.repeated;
  const countMac = (mac: LoraWanMac) => {
    const c = mac.counters;
    counts.macUplinks += c.uplinks;
    counts.macRetransmissions += c.retransmissions;
    counts.macConfirmedFailed += c.confirmedFailed;
    counts.macJoinRequests += c.joinRequests;
    const dr = `DR${mac.dataRate}`;
    counts.dataRates[dr] = (counts.dataRates[dr] ?? 0) + 1;
  };
  const perGateway: GatewayRow[] = fleet.map((g) => {
    const s = g.gateway.stats();
    counts.samples += s.samples;
    counts.queuedSamples += s.queuedSamples;
    // Frames the platform has not yet acknowledged stay in the log, but they are sent: not pending.
    counts.pendingFrames += s.store.pendingReadings - (s.uplink.awaitingAck ?? 0);
    counts.awaitingAck += s.uplink.awaitingAck ?? 0;
    counts.pendingAlerts += s.store.pendingAlerts;
    counts.droppedReadings += s.store.droppedReadings;
    counts.alertEvents += s.alerts;
    countMac(g.mac);
    return {
      devEui: g.m.devEui,
      x: g.m.x,
      y: g.m.y,
      pathLossDb: Math.round(Math.min(...Object.values(g.m.lossDb)) * 10) / 10,
      dataRate: g.mac.dataRate,
      samples: s.samples,
      queuedSamples: s.queuedSamples,
      readingsDecoded: g.ledger.decoded,
      alertEvents: s.alerts,
      frames: g.mac.counters.uplinks,
      retransmissions: g.mac.counters.retransmissions,
      confirmedFailed: g.mac.counters.confirmedFailed,
    };
  });
  for (const d of endDevices) {
    counts.samples += d.counters.samples;
    counts.alertEvents += d.counters.alerts;
    counts.endDeviceReports += d.counters.reports;
    counts.endDeviceSendFailures += d.counters.sendFailures;
    countMac(d.mac);
  }

  // Every figure is taken now: closing a gateway frames and sends what it still holds, which the samples above do not count.
  for (const d of endDevices) d.close();
  // All at once, as the end of one run: closing one gateway at a time let the others run on (68 simulated minutes at 100).
  await clock.run(Promise.all(fleet.map((g) => g.gateway.close())));
  for (const g of fleet) {
    g.sim.close();
    g.mac.close();
  }
  for (const a of attachments) a.attachment.detach();
  acks.detach();
  // Minutes with no frame are 0, so parts merge minute by minute.
  const perMinute = Array.from({ length: totalMinutes }, (_, m) => uplinksPerMinute[m] ?? 0);
  return { cell: plan.index, counts, latency: latency.toJSON(), uplinksPerMinute: perMinute, timeline: timeline.toJSON(), perGateway, perBaseStation };
}
