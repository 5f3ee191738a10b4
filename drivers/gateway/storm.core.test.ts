/**
 * Gateway pipeline scenarios: water, smoke and pressure from simulated
 * devices on the demo site, through scheduler, drivers, rules, batch and
 * store to the uplink, in virtual time. Assertions are on what the far side
 * decoded (and on the local outputs), not on pipeline internals.
 */
import { test } from '../../test/kit/core-test.js';
import { MINUTE, Pipeline } from './test-support.js';

test('storm: the underpass level raises warning then critical once each, no flapping on a noisy signal, relay within one poll period', async (t) => {
  const p = new Pipeline({
    devices: ['underpass-longhua'],
    // Rise to 30 cm with ±1 cm of sensor noise, so the level dithers around both thresholds on the way.
    sim: { models: { 'underpass-longhua': { level: { model: 'storm', dry: 0, peak: 30, startMinutes: 5, riseMinutes: 60, holdMinutes: 20, fallMinutes: 60, noise: 1 } } } },
    uplink: { latencyMs: 2000 },
  });
  p.gateway.start();
  await p.until(160 * MINUTE);
  await p.close();

  t.deepEqual(p.alertLines('underpass-longhua-ponding'), [
    'underpass-longhua-ponding warning raised',
    'underpass-longhua-ponding critical raised',
    'underpass-longhua-ponding critical cleared',
    'underpass-longhua-ponding warning cleared',
  ]);
  t.deepEqual(p.alertLines().filter((line) => !line.startsWith('underpass-longhua-ponding')), [], 'no other alarm (the default level rule is covered by the site rule)');

  const levels = p.polls('underpass-longhua').flatMap((e) => {
    const reading = e.poll.readings.level;
    return reading.ok ? [{ atMs: e.atMs, level: reading.value as number }] : [];
  });
  const crossings = levels.filter((x, i) => i > 0 && x.level >= 15 !== levels[i - 1].level >= 15);
  t.true(crossings.length > 1, `the noisy level crossed 15 cm ${crossings.length} times, yet the warning was raised and cleared once`);

  const firstWet = levels.find((x) => x.level >= 15);
  const relayOn = p.outputs['barrier-relay'].firstAt(1);
  t.truthy(firstWet && relayOn !== undefined);
  if (firstWet === undefined || relayOn === undefined) return;
  // Debounce is two samples, polling is every minute while wet: the relay closes at most one period after the first sample over the line.
  t.true(relayOn >= firstWet.atMs && relayOn <= firstWet.atMs + MINUTE + 1000, `relay on ${(relayOn - firstWet.atMs) / 1000} s after the first sample over 15 cm`);
  const relayOff = p.outputs['barrier-relay'].firstAt(0, relayOn);
  const warningCleared = p.uplink.alerts().find((a) => a.state === 'cleared' && a.level === 'warning');
  t.truthy(relayOff !== undefined && warningCleared !== undefined && relayOff <= warningCleared.atMs, 'the barrier opens again only when the water has gone');

  // Alerts travel at once: each reached the uplink within the uplink latency of the poll that raised it.
  const raisedAt = p.events.filter((e) => e.kind === 'alert').map((e) => e.atMs);
  const arrivedAt = p.uplink.alerts().map((a) => a.atMs);
  t.is(arrivedAt.length, raisedAt.length);
  arrivedAt.forEach((at, i) => t.true(at - raisedAt[i] <= 2000 + 1, `alert ${i} took ${at - raisedAt[i]} ms`));
  t.deepEqual(p.errors(), []);
});

test('smoke: the alarm reaches the uplink within a poll plus the uplink latency, long before the next batch flush', async (t) => {
  const p = new Pipeline({
    devices: ['smoke-pump-room', 'underpass-longhua'],
    sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 10, durationMinutes: 3 } } } },
    uplink: { latencyMs: 1500 },
    gateway: { flushEveryMs: 15 * MINUTE },
  });
  p.gateway.start();
  await p.until(14 * MINUTE);
  const alerts = p.uplink.alerts();
  t.deepEqual(alerts.map((a) => `${a.rule} ${a.level} ${a.state} ${String(a.value)}`), [
    'smoke-pump-room-smoke critical raised true',
    'smoke-pump-room-smoke critical cleared false',
  ]);
  const delay = alerts[0].atMs - 10 * MINUTE;
  t.true(delay <= 10_000 + 1000 + 1500, `smoke alarm on the uplink ${delay} ms after it started (poll period 10 s, latency 1.5 s)`);
  t.is(p.uplink.decoded('batch').length, 0, 'no batch has been flushed yet: the alert did not wait for one');
  t.truthy(p.outputs.buzzer.firstAt(1, 10 * MINUTE), 'the buzzer pulsed');
  await p.close();
  t.deepEqual(p.errors(), []);
});

test('hydrant: a pressure drop raises warning then critical and both clear on recovery', async (t) => {
  const p = new Pipeline({
    devices: ['hydrant-north'],
    sim: { models: { 'hydrant-north': { pressure: { model: 'pressure-drop', base: 0.35, low: 0.08, startMinutes: 5, durationMinutes: 20, noise: 0.004 } } } },
  });
  p.gateway.start();
  await p.until(45 * MINUTE);
  await p.close();
  // Warning and critical are raised by one poll: they wait together and go in one group, critical first.
  t.deepEqual(p.alertLines(), [
    'hydrant-north-pressure critical raised',
    'hydrant-north-pressure warning raised',
    'hydrant-north-pressure critical cleared',
    'hydrant-north-pressure warning cleared',
  ]);
  t.is(p.uplink.decoded('alerts')[0]?.alerts.length, 2, 'the two raises in one frame');
  const critical = p.uplink.alerts()[0];
  t.true(typeof critical.value === 'number' && critical.value <= 0.1, `critical raised at ${String(critical.value)} MPa`);
  t.is(p.outputs['warning-light'].writes.at(-1)?.value, 0, 'the warning light is off again');
  t.deepEqual(p.errors(), []);
});
