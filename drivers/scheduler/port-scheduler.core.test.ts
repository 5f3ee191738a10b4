/**
 * The port scheduler against simulated devices in virtual time: the demo
 * site's RS-485 bus (11 Modbus devices and a DL/T 645 meter on one port).
 */
import { test } from '../../test/kit/core-test.js';
import type { CoreAssertions } from '../../test/kit/core-test.js';
import type { BusConfig } from '../gateway/site.js';
import type { DeviceManifest } from '../devices/manifest.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import { demoSite, shippedManifests } from '../../sdk/site/demo-site.js';
import { simulateBus, type SimulatedDevicesOptions } from '../../simulators/simulated-bus.js';
import { PortScheduler, type PollResult, type PortSchedulerOptions } from './port-scheduler.js';
import { planReads } from '../devices/read-plan.js';
import { polledModbusPoints } from './site-device.js';
import { planBus } from './bus-time.js';

const MINUTE = 60_000;

function demoBus(edit?: (bus: BusConfig) => void): BusConfig {
  const bus = demoSite().buses[0];
  edit?.(bus);
  return bus;
}

interface Harness {
  clock: VirtualClock;
  scheduler: PortScheduler;
  sim: ReturnType<typeof simulateBus>;
  polls: Array<PollResult & { endMs: number }>;
  errors: Error[];
  manifests: Map<string, DeviceManifest>;
}

function harness(bus: BusConfig, options: { sim?: SimulatedDevicesOptions; scheduler?: Partial<PortSchedulerOptions>; manifests?: Map<string, DeviceManifest> } = {}): Harness {
  const clock = new VirtualClock();
  const manifests = options.manifests ?? shippedManifests();
  const sim = simulateBus(bus, manifests, clock, options.sim);
  const polls: Harness['polls'] = [];
  const errors: Error[] = [];
  const scheduler = new PortScheduler({
    bus,
    stream: sim.gateway,
    clock,
    manifests,
    onPoll: (result) => polls.push({ ...result, endMs: clock.now() }),
    onError: (error) => errors.push(error),
    ...options.scheduler,
  });
  return { clock, scheduler, sim, polls, errors, manifests };
}

async function finish(h: Harness, t: CoreAssertions): Promise<void> {
  // stop() lets the transaction in progress finish, which may need virtual time.
  await h.clock.run(h.scheduler.close());
  h.sim.close();
  t.deepEqual(h.errors.map((e) => e.message), [], 'the loop itself never failed');
  t.deepEqual(h.sim.gateway.overlaps(), [], 'no two frames were ever on the wire together');
}

function pollsOf(h: Harness, device: string): Array<PollResult & { endMs: number }> {
  return h.polls.filter((p) => p.device === device);
}

test('one cycle reads every device of the demo bus, Modbus and DL/T 645 multiplexed on one port', async (t) => {
  const bus = demoBus();
  const h = harness(bus);
  h.scheduler.start();
  await h.clock.advance(3000);
  t.is(h.polls.length, bus.devices.length);
  for (const poll of h.polls) {
    const bad = Object.entries(poll.readings).filter(([, r]) => !r.ok).map(([id]) => id);
    t.deepEqual(bad, [], `${poll.device}: every point read`);
    t.is(poll.bus, 'rs485-1');
    t.true(poll.durationMs > 0);
  }
  const meter = h.polls.find((p) => p.device === 'site-meter')?.readings.forward_active_energy;
  const simulated = h.sim.simulators.get('site-meter')?.valueOf('forward_active_energy') as number;
  t.true(meter?.ok === true && Math.abs((meter.value as number) - simulated) < 0.01, 'the DL/T 645 meter read on the Modbus bus');
  t.is(h.polls[0].t, h.clock.unixTimeMs() - h.clock.now() + (h.polls[0].endMs - h.polls[0].durationMs), 't is the Unix time the poll started');
  t.is(h.scheduler.portStats.strayBytes, 0, 'every byte received belonged to the transaction in progress');
  await finish(h, t);
});

test('alarm-class devices go first within a cycle, then by priority, then in site order', async (t) => {
  const bus = demoBus((b) => {
    const feeder = b.devices.find((d) => d.id === 'pump-feeder');
    if (feeder !== undefined) feeder.priority = 5;
  });
  const h = harness(bus);
  h.scheduler.start();
  await h.clock.advance(3000);
  const order = h.polls.map((p) => p.device);
  t.deepEqual(order.slice(0, 3), ['smoke-pump-room', 'smoke-substation', 'pump-feeder']);
  t.deepEqual(order.slice(3), bus.devices.map((d) => d.id).filter((id) => !order.slice(0, 3).includes(id)));
  const stats = h.scheduler.stats();
  t.is(stats.find((s) => s.device === 'smoke-pump-room')?.priority, 0);
  t.is(stats.find((s) => s.device === 'hydrant-north')?.priority, 10);
  await finish(h, t);
});

test('devices keep their periods without drift', async (t) => {
  const h = harness(demoBus());
  h.scheduler.start();
  await h.clock.advance(10 * MINUTE + 5000);
  const smoke = pollsOf(h, 'smoke-pump-room').map((p) => p.endMs - p.durationMs);
  t.is(smoke.length, 61, 'every 10 s for 10 minutes, plus the first poll');
  for (let i = 1; i < smoke.length; i++) t.true(Math.abs(smoke[i] - smoke[i - 1] - 10_000) < 1000, `smoke poll ${i} ~10 s after the previous`);
  t.is(pollsOf(h, 'hydrant-north').length, 11);
  t.is(pollsOf(h, 'underpass-longhua').length, 3);
  for (const s of h.scheduler.stats()) t.is(s.missedBeats, 0, `${s.device} missed no beat`);
  await finish(h, t);
});

test('a dead device is backed off; every other device keeps its schedule', async (t) => {
  const runFor = 20 * MINUTE;
  const baseline = harness(demoBus());
  baseline.scheduler.start();
  await baseline.clock.advance(runFor);
  const expected = new Map(baseline.scheduler.stats().map((s) => [s.device, s]));

  const h = harness(demoBus(), { sim: { absent: ['hydrant-north'] } });
  h.scheduler.start();
  await h.clock.advance(runFor);
  const stats = new Map(h.scheduler.stats().map((s) => [s.device, s]));
  const dead = stats.get('hydrant-north');
  t.is(dead?.breaker, 'open');
  t.true((dead?.backoffMs ?? 0) >= 4 * MINUTE, 'back-off doubled at each failed probe');
  t.is(dead?.failures, dead?.polls);
  // 60 s period: polls at 0, 1, 2 min open the breaker; probes follow after 2, 4, 8 minutes.
  t.true((dead?.polls ?? 99) <= 6, `dead device polled ${dead?.polls} times in 20 minutes instead of 20`);
  for (const poll of pollsOf(h, 'hydrant-north')) t.is(Object.values(poll.readings).every((r) => !r.ok && r.error.code === 'MODBUS_TIMEOUT'), true);

  // A silent request costs timeoutMs (500) + the late-reply window (500) per attempt, two attempts
  // before the breaker opens: the others may be late by one dead poll plus one cycle of the bus, never by a period.
  const tolerance = 2 * 1000 + planBus(demoBus(), h.manifests).cycleMs;
  for (const [id, s] of stats) {
    if (id === 'hydrant-north') continue;
    t.is(s.polls, expected.get(id)?.polls, `${id} was polled as often as without the dead device`);
    t.is(s.failures, 0, `${id} never failed`);
    t.is(s.missedBeats, 0, `${id} missed no beat`);
    t.true(s.maxLatenessMs <= tolerance, `${id} at most ${tolerance} ms late (was ${Math.round(s.maxLatenessMs)} ms)`);
  }
  await finish(h, t);
  await finish(baseline, t);
});

test('a dead meter fails fast: one timeout per poll, not one per DI', async (t) => {
  const h = harness(demoBus(), { sim: { absent: ['site-meter'] } });
  h.scheduler.start();
  await h.clock.advance(5000);
  const poll = pollsOf(h, 'site-meter')[0];
  t.deepEqual(Object.values(poll.readings).map((r) => !r.ok && r.error.code), ['DLT645_TIMEOUT', 'DLT645_TIMEOUT', 'DLT645_TIMEOUT', 'DLT645_TIMEOUT']);
  // The site gives the meter timeoutMs 1000; one DI, two attempts.
  t.true(poll.durationMs < 2 * 1000 + 100, `dead meter poll took ${poll.durationMs} ms`);
  t.is(h.scheduler.stats().find((s) => s.device === 'site-meter')?.requests, 1);
  await finish(h, t);
});

test('the breaker closes again when the device comes back, and normal polling resumes', async (t) => {
  const bus = demoBus((b) => {
    b.devices = b.devices.filter((d) => d.id === 'smoke-pump-room' || d.id === 'pump-room-climate');
  });
  const h = harness(bus, { sim: { absent: ['smoke-pump-room'] } });
  const detector = () => h.scheduler.stats().find((s) => s.device === 'smoke-pump-room');
  h.scheduler.start();
  await h.clock.advance(35_000);
  t.is(detector()?.breaker, 'open', 'three failed polls (0, 10, 20 s) opened the breaker');
  t.is(detector()?.backoffMs, 20_000, 'first back-off: two periods');
  const polls = detector()?.polls ?? 0;
  await h.clock.advance(5_000);
  t.is(detector()?.polls, polls, 'skipped while open');
  h.sim.connect('smoke-pump-room');
  await h.clock.advance(10_000);
  t.is(detector()?.breaker, 'closed', 'the probe found it and closed the breaker');
  const after = detector()?.polls ?? 0;
  await h.clock.advance(60_000);
  t.is(detector()?.polls, after + 6, 'back to every 10 s');
  t.true(pollsOf(h, 'smoke-pump-room').slice(-6).every((p) => Object.values(p.readings).every((r) => r.ok)));
  await finish(h, t);
});

test('adaptive polling: every minute while the underpass is wet, back to 5 minutes when dry', async (t) => {
  const h = harness(demoBus());
  const sensor = h.sim.simulators.get('underpass-caoxi');
  h.scheduler.start();
  await h.clock.advance(10 * MINUTE + 1000);
  t.is(pollsOf(h, 'underpass-caoxi').length, 3, 'dry: every 5 minutes');
  sensor?.setValue('level', 6);
  // Water is noticed at the next regular poll (15:00); from then on every minute.
  await h.clock.advance(8 * MINUTE);
  const wet = pollsOf(h, 'underpass-caoxi');
  const stats = () => h.scheduler.stats().find((s) => s.device === 'underpass-caoxi');
  t.true(stats()?.adaptiveActive === true);
  t.is(stats()?.periodMs, MINUTE);
  const starts = wet.map((p) => p.endMs - p.durationMs);
  t.true(Math.abs(starts[starts.length - 1] - starts[starts.length - 2] - MINUTE) < 1000, 'one minute between wet polls');
  t.true(wet.length >= 7, `polled ${wet.length} times`);
  t.is(pollsOf(h, 'underpass-longhua').length, 4, 'the dry underpasses stay at 5 minutes');
  const lastLevel = wet.at(-1)?.readings.level;
  t.true(lastLevel?.ok === true && lastLevel.value === 6, 'the forced level was read');
  sensor?.setValue('level', 0);
  await h.clock.advance(2 * MINUTE);
  t.is(stats()?.adaptiveActive, false);
  t.is(stats()?.periodMs, 5 * MINUTE);
  const count = pollsOf(h, 'underpass-caoxi').length;
  await h.clock.advance(3 * MINUTE);
  t.is(pollsOf(h, 'underpass-caoxi').length, count, 'the next poll is 5 minutes after the dry reading');
  await finish(h, t);
});

test('writes are served between polls, ahead of due polls', async (t) => {
  const events: string[] = [];
  let write: Promise<void> | undefined;
  let scheduler: PortScheduler | undefined;
  const h = harness(demoBus(), {
    scheduler: {
      onPoll: (result) => {
        events.push(`poll ${result.device}`);
        // Queued while the first poll of the cycle finishes; eleven more devices are due.
        if (result.device === 'smoke-pump-room' && write === undefined) {
          write = scheduler?.write('smoke-pump-room', 'heat_threshold', 62).then(() => {
            events.push('write heat_threshold');
          });
        }
      },
    },
  });
  scheduler = h.scheduler;
  h.scheduler.start();
  await h.clock.advance(3000);
  t.truthy(write);
  await write;
  t.deepEqual(events.slice(0, 3), ['poll smoke-pump-room', 'write heat_threshold', 'poll smoke-substation']);
  t.is(h.sim.simulators.get('smoke-pump-room')?.valueOf('heat_threshold'), 62);
  t.is(h.scheduler.stats().find((s) => s.device === 'smoke-pump-room')?.writes, 1);
  await t.throwsAsync(h.scheduler.write('site-meter', 'voltage_a', 1), { code: 'SCHEDULER_NOT_WRITABLE' });
  await t.throwsAsync(h.scheduler.write('nobody', 'x', 1), { code: 'SCHEDULER_UNKNOWN_DEVICE' });
  const refused = h.scheduler.write('smoke-pump-room', 'temperature', 1);
  await h.clock.advance(100);
  await t.throwsAsync(refused, { code: 'POINT_NOT_WRITABLE' });
  await finish(h, t);
});

test('a write queued while the bus is idle runs at once', async (t) => {
  const h = harness(demoBus());
  h.scheduler.start();
  await h.clock.advance(3000);
  const before = h.clock.now();
  const done = h.scheduler.write('hydrant-south', 'slave_address', 10);
  await h.clock.run(done);
  t.true(h.clock.now() - before < 100, 'no waiting for the next due poll');
  t.is(h.sim.simulators.get('hydrant-south')?.valueOf('slave_address'), 10);
  await finish(h, t);
});

test('a new point gets a request of its own; existing requests move only on replan()', async (t) => {
  const manifests = shippedManifests();
  const level = manifests.get('water-level-rs485') as DeviceManifest;
  // The same transmitter with its range register (0x0006) read every poll, as a field engineer might add it.
  const extended: DeviceManifest = { ...level, id: 'water-level-rs485-v2', points: level.points.map((p) => (p.id === 'range_full' ? { ...p, role: 'measurement' as const } : p)) };
  manifests.set(extended.id, extended);
  const bus = demoBus();
  const h = harness(bus, { manifests });
  h.scheduler.start();
  await h.clock.advance(3000);
  const before = h.scheduler.plans().get('underpass-longhua');
  t.deepEqual(before?.map((r) => [r.fc, r.address, r.count]), [[3, 4, 1]]);

  const site = bus.devices[0];
  h.scheduler.updateDevice({ ...site, manifest: extended.id });
  const after = h.scheduler.plans().get('underpass-longhua');
  t.deepEqual(after?.map((r) => [r.fc, r.address, r.count, r.points]), [[3, 4, 1, ['level']], [3, 6, 1, ['range_full']]], 'the level request is untouched');
  t.deepEqual(planReads(polledModbusPoints(extended)).map((r) => [r.address, r.count]), [[4, 3]], 'a fresh plan would have moved it');

  h.scheduler.pollAllNow();
  await h.clock.advance(3000);
  const poll = pollsOf(h, 'underpass-longhua').at(-1);
  t.true(poll?.readings.range_full.ok === true && poll.readings.level.ok === true, 'both points read through the stable plan');

  h.scheduler.replan('underpass-longhua');
  t.deepEqual(h.scheduler.plans().get('underpass-longhua')?.map((r) => [r.fc, r.address, r.count]), [[3, 4, 3]]);
  h.scheduler.pollAllNow();
  await h.clock.advance(3000);
  const replanned = pollsOf(h, 'underpass-longhua').at(-1);
  t.true(replanned?.readings.range_full.ok === true && replanned.readings.level.ok === true);
  await finish(h, t);
});

test('plans passed in at start are kept (e.g. persisted from the previous run)', async (t) => {
  const bus = demoBus();
  const plans = new Map([['pump-feeder', [{ fc: 4 as const, address: 0, count: 2, points: ['voltage'] }]]]);
  const h = harness(bus, { scheduler: { plans } });
  h.scheduler.start();
  await h.clock.advance(3000);
  const plan = h.scheduler.plans().get('pump-feeder');
  t.deepEqual(plan?.[0], { fc: 4, address: 0, count: 2, points: ['voltage'] });
  t.is(plan?.length, 4, 'the other points were planned after the kept request');
  const poll = pollsOf(h, 'pump-feeder')[0];
  t.true(Object.values(poll.readings).every((r) => r.ok));
  await finish(h, t);
});
