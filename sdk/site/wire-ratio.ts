/**
 * `plan.wire_ratio`: how close the scheduler gets to the bus-time planner's
 * floor. For each bus of a site, simulated devices answer in virtual time; the
 * scheduler runs one cycle to read and cache config registers, then every
 * device is made due at once and the back-to-back cycle is timed from the
 * first request to the last reply. ratio = measured cycle ÷ planned cycle.
 *
 * The planner charges 2·t3.5 and the bus's turnaround to every transaction;
 * the scheduler keeps one t3.5 between transactions and the simulated meters
 * answer at once, so a ratio near or below 1 means the scheduler adds no
 * overhead of its own. A ratio above 1.10 means time is lost somewhere
 * (needless waits, extra requests, retries). Runtime-neutral.
 */
import type { BusConfig, SiteFile } from '../../drivers/gateway/site.js';
import { pointSpan, type ReadRequest } from '../../drivers/devices/read-plan.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { planBus } from '../../drivers/scheduler/bus-time.js';
import { PortScheduler, type PollResult } from '../../drivers/scheduler/port-scheduler.js';
import { manifestFor, polledModbusPoints, type ManifestLookup } from '../../drivers/scheduler/site-device.js';
import { simulateBus } from '../../simulators/simulated-bus.js';

export interface BusCycleMeasurement {
  bus: string;
  /** Measured back-to-back cycle, ms of virtual time. */
  measuredMs: number;
  /** The planner's cycle for the same requests, ms. */
  floorMs: number;
  ratio: number;
  /** Requests the gateway sent during the measured cycle. */
  requests: number;
  /** Devices polled in the measured cycle (all of the bus). */
  devices: number;
  /** Polls in which some point failed to read (should be 0). */
  failedReadings: number;
}

export interface CycleOptions {
  /** Read plans to run instead of the default ones (e.g. one request per point, to compare). */
  plans?: ReadonlyMap<string, readonly ReadRequest[]>;
}

/** Run one bus in virtual time and time a full cycle after the warm-up cycle. */
export async function measureBusCycle(bus: BusConfig, manifests: ManifestLookup, options: CycleOptions = {}): Promise<BusCycleMeasurement> {
  const clock = new VirtualClock();
  const sim = simulateBus(bus, manifests, clock);
  const polls: Array<PollResult & { endMs: number }> = [];
  let errors = 0;
  const scheduler = new PortScheduler({
    bus,
    stream: sim.gateway,
    clock,
    manifests,
    plans: options.plans,
    onPoll: (result) => polls.push({ ...result, endMs: clock.now() }),
    onError: () => errors++,
  });
  const cycleDone = (from: number) =>
    new Promise<void>((resolve) => {
      const check = () => (polls.length - from >= bus.devices.length ? resolve() : clock.schedule(1, check));
      check();
    });
  try {
    scheduler.start();
    await clock.run(cycleDone(0));
    // Let the line go quiet, then time a cycle with every device due together.
    await clock.advance(100);
    const from = polls.length;
    const startedAt = clock.now();
    const sentBefore = sim.gateway.transmissions;
    scheduler.pollAllNow();
    await clock.run(cycleDone(from));
    const cycle = polls.slice(from, from + bus.devices.length);
    const firstTx = sim.gateway.events.find((e) => e.direction === 'tx' && e.start >= startedAt)?.start ?? startedAt;
    const measuredMs = Math.max(...cycle.map((p) => p.endMs)) - firstTx;
    const floorMs = planBus(bus, manifests, scheduler.plans()).cycleMs;
    return {
      bus: bus.id,
      measuredMs: Math.round(measuredMs * 1000) / 1000,
      floorMs,
      ratio: Math.round((measuredMs / floorMs) * 10000) / 10000,
      requests: sim.gateway.transmissions - sentBefore,
      devices: cycle.length,
      failedReadings: cycle.filter((p) => Object.values(p.readings).some((r) => !r.ok)).length + errors,
    };
  } finally {
    await scheduler.close();
    sim.close();
  }
}

export interface WireRatio {
  metric: 'plan.wire_ratio';
  /** Measured ÷ floor over all buses of the site (sums of cycle times). */
  value: number;
  buses: BusCycleMeasurement[];
}

/** plan.wire_ratio for a site: Σ measured cycles ÷ Σ planned cycles over its buses. */
export async function measureWireRatio(site: SiteFile, manifests: ManifestLookup): Promise<WireRatio> {
  const buses: BusCycleMeasurement[] = [];
  for (const bus of site.buses) if (bus.devices.length > 0) buses.push(await measureBusCycle(bus, manifests));
  const measured = buses.reduce((sum, b) => sum + b.measuredMs, 0);
  const floor = buses.reduce((sum, b) => sum + b.floorMs, 0);
  return { metric: 'plan.wire_ratio', value: Math.round((measured / floor) * 10000) / 10000, buses };
}

/** Read plans with one request per point: what a poller without coalescing sends, for comparisons. */
export function onePlanPerPoint(site: SiteFile, manifests: ManifestLookup): Map<string, ReadRequest[]> {
  const plans = new Map<string, ReadRequest[]>();
  for (const bus of site.buses) {
    for (const device of bus.devices) {
      const manifest = manifestFor(manifests, device);
      if (manifest.protocol !== 'modbus') continue;
      plans.set(device.id, polledModbusPoints(manifest).map((p) => ({ fc: p.fc, address: p.address, count: pointSpan(p), points: [p.id] })));
    }
  }
  return plans;
}
