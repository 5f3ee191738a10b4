/**
 * The demo site in virtual time for many hours, with faults: devices
 * unplugged and plugged back, bursts of bus noise, uplink outages and lost
 * messages. Afterwards every reading the gateway took is reconciled with the
 * readings decoded at the far side (per device and point), and the JS heap is
 * compared before and after (garbage collected both times).
 *
 * The harness keeps only counters, so its own memory stays flat too: far-side
 * messages are decoded and counted each simulated hour, then dropped, and so
 * is the simulated lines' wire log.
 */
import { findChannel } from '../drivers/batch/channels.js';
import { Gateway, type GatewayEvent } from '../drivers/gateway/gateway.js';
import { MemoryKeyValueStore } from '../drivers/ports/storage.js';
import { VirtualClock } from '../drivers/ports/virtual-clock.js';
import { MemoryFileSystem } from '../drivers/store/memory-file-system.js';
import { demoSite, shippedManifests } from '../sdk/site/demo-site.js';
import { simulateSite } from '../simulators/site-sim.js';
import { MemoryUplink } from '../simulators/uplink/memory-uplink.js';
import { Random } from '../fuzz/random.js';
import { forceGc } from './gc.js';
import { NoisyPort } from './noisy-port.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Faults stop this long before the end, so the backlog of the last outage is delivered before the books close. */
const QUIET_END_MS = 2 * HOUR;

export interface SoakOptions {
  hours: number;
  seed?: number;
  /**
   * Test knob: the far side throws away this many batch messages after
   * acknowledging them (what a broken store-and-forward would do), so a test
   * can show the reconciliation notices.
   */
  discardAcknowledged?: number;
  /** Called after every simulated hour. */
  onHour?(hour: number, result: Pick<SoakResult, 'samples' | 'readingsDecoded'>): void;
}

export interface SoakResult {
  hours: number;
  seed: number;
  polls: number;
  failedPolls: number;
  /** Readings the gateway took and queued for the uplink (during the run's hours). */
  samples: number;
  /** Readings decoded at the far side. */
  readingsDecoded: number;
  /** Readings taken that never arrived (per device and point: taken − decoded, where positive). */
  readingsLost: number;
  /** Readings that arrived more often than they were taken. */
  readingsDuplicated: number;
  alertsDecoded: number;
  /** Errors the gateway reported (failed polls are not errors; a failing store or encoder would be). */
  gatewayErrors: number;
  faults: { deviceDrops: number; noiseWindows: number; damagedChunks: number; outages: number; outageHours: number; lostMessages: number };
  heapBeforeBytes: number;
  heapAfterBytes: number;
  heapGrowthBytes: number;
  wallSeconds: number;
}

interface Fault {
  atMs: number;
  apply(): void;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const started = Date.now();
  const seed = options.seed ?? 1;
  const random = new Random(seed);
  const endMs = options.hours * HOUR;
  const faultsEndMs = Math.max(0, endMs - QUIET_END_MS);
  const clock = new VirtualClock({ unixEpochMs: Date.UTC(2026, 5, 1) });
  const site = demoSite();
  const manifests = shippedManifests();

  // Uplink outages: 90 minutes every 12 hours, plus 1 % of messages lost on the way.
  const outages: Array<{ fromMs: number; toMs: number }> = [];
  for (let at = 5 * HOUR; at + 90 * MINUTE <= faultsEndMs; at += 12 * HOUR) outages.push({ fromMs: at, toMs: at + 90 * MINUTE });
  const uplink = new MemoryUplink({ clock, offline: outages, lossRate: 0.01, seed, latencyMs: 300 });
  const sim = simulateSite(site, manifests, clock, { seed });
  const ports: NoisyPort[] = [];
  const taken = new Map<string, number>();
  const arrived = new Map<string, number>();
  let alertsDecoded = 0;
  let errors = 0;
  // A whole minute, so every time step (1–60 s) puts a reading taken after it at or after it.
  const closeUnixMs = clock.unixTimeMs() + endMs;

  const gateway = new Gateway({
    site,
    manifests,
    clock,
    openPort: (bus) => {
      const port = new NoisyPort(sim.openPort(bus), random, 0.05);
      ports.push(port);
      return port;
    },
    files: new MemoryFileSystem(),
    meta: new MemoryKeyValueStore(),
    uplink,
    onEvent: (event: GatewayEvent) => {
      if (event.kind === 'error') errors++;
      // The books cover readings taken before closeMs; later ones are still on their way when the run ends.
      if (event.kind !== 'poll' || event.poll.t >= closeUnixMs) return;
      // The gateway's own rule for what it queues (gateway.ts #onPoll): valid readings of channel points.
      for (const [point, reading] of Object.entries(event.poll.readings)) {
        if (!reading.ok || findChannel(gateway.channelTable, event.poll.device, point) === undefined) continue;
        const key = `${event.poll.device}.${point}`;
        taken.set(key, (taken.get(key) ?? 0) + 1);
      }
    },
  });
  uplink.channels = gateway.channelTable;

  const faults: Fault[] = [];
  const devices = site.buses.flatMap((bus) => bus.devices.map((d) => ({ bus: bus.id, id: d.id })));
  let deviceDrops = 0;
  // A device unplugged every 3 hours for 20–60 minutes.
  for (let at = 2 * HOUR; at + HOUR <= faultsEndMs; at += 3 * HOUR) {
    const device = random.pick(devices);
    const back = at + random.between(20, 60) * MINUTE;
    faults.push({ atMs: at, apply: () => { sim.buses.get(device.bus)?.disconnect(device.id); deviceDrops++; } });
    faults.push({ atMs: back, apply: () => void sim.buses.get(device.bus)?.connect(device.id) });
  }
  // A 15-minute burst of noise every 2 hours: 5 % of the chunks from the devices damaged.
  let noiseWindows = 0;
  for (let at = HOUR + 17 * MINUTE; at + 15 * MINUTE <= faultsEndMs; at += 2 * HOUR) {
    faults.push({ atMs: at, apply: () => { for (const port of ports) port.noisy = true; noiseWindows++; } });
    faults.push({ atMs: at + 15 * MINUTE, apply: () => { for (const port of ports) port.noisy = false; } });
  }
  faults.sort((a, b) => a.atMs - b.atMs);

  /** Count what reached the far side, then forget the messages (the harness must not grow). */
  let toDiscard = options.discardAcknowledged ?? 0;
  const collect = () => {
    for (const message of uplink.received) {
      if (toDiscard > 0 && message.decoded?.type === 'batch') {
        toDiscard--;
        continue;
      }
      if (message.decoded === undefined) throw new Error(`the far side could not decode an uplink: ${message.decodeError ?? 'no channel table'}`);
      if (message.decoded.type === 'alert') alertsDecoded++;
      if (message.decoded.type !== 'batch') continue;
      for (const r of message.decoded.readings) if (r.t < closeUnixMs) arrived.set(`${r.device}.${r.point}`, (arrived.get(`${r.device}.${r.point}`) ?? 0) + 1);
    }
    uplink.received.splice(0);
    // The simulated lines log every frame on the wire (for collision checks); the soak has no use for it.
    for (const bus of sim.buses.values()) bus.gateway.events.splice(0);
  };
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

  gateway.start();
  let next = 0;
  let heapBeforeBytes = 0;
  for (let hour = 1; hour * HOUR <= endMs; hour++) {
    while (next < faults.length && faults[next].atMs <= hour * HOUR) {
      await clock.advanceTo(faults[next].atMs);
      faults[next++].apply();
    }
    await clock.advanceTo(hour * HOUR);
    collect();
    // The first hour warms everything up (JIT, the log's first segments, the alarm state); measure from there.
    if (hour === 1) heapBeforeBytes = forceGc();
    options.onHour?.(hour, { samples: sum(taken), readingsDecoded: sum(arrived) });
  }
  // Books close: send what is queued and give it time to arrive (two flush periods and a retry or two).
  gateway.flush();
  await clock.advanceTo(endMs + 15 * MINUTE);
  gateway.flush();
  await clock.advanceTo(endMs + 20 * MINUTE);
  collect();
  const stats = gateway.stats();
  const heapAfterBytes = forceGc();
  await clock.run(gateway.close());
  sim.close();

  let readingsLost = 0;
  let readingsDuplicated = 0;
  for (const [key, count] of taken) readingsLost += Math.max(0, count - (arrived.get(key) ?? 0));
  for (const [key, count] of arrived) readingsDuplicated += Math.max(0, count - (taken.get(key) ?? 0));
  return {
    hours: options.hours,
    seed,
    polls: stats.polls,
    failedPolls: stats.failedPolls,
    samples: sum(taken),
    readingsDecoded: sum(arrived),
    readingsLost,
    readingsDuplicated,
    alertsDecoded,
    gatewayErrors: errors,
    faults: {
      deviceDrops,
      noiseWindows,
      damagedChunks: ports.reduce((n, p) => n + p.damaged, 0),
      outages: outages.length,
      outageHours: outages.reduce((h, o) => h + (o.toMs - o.fromMs) / HOUR, 0),
      lostMessages: uplink.failures,
    },
    heapBeforeBytes,
    heapAfterBytes,
    heapGrowthBytes: heapAfterBytes - heapBeforeBytes,
    wallSeconds: (Date.now() - started) / 1000,
  };
}
