import { test } from '../../test/kit/core-test.js';
import type { PointReading } from '../devices/reading.js';
import type { OfflineRule } from './config.js';
import { eventTrail, ruleHarness } from './testing/harness.js';

const PERIOD = 60_000;
const offline: OfflineRule = { kind: 'offline', id: 'lvl.offline', device: 'd1', level: 'warning' };
const good: Record<string, PointReading> = { level: { ok: true, value: 4 } };
const dead: Record<string, PointReading> = { level: { ok: false, error: new Error('timeout') } };

test('three failed polls in virtual time raise offline; the first valid reading clears it', async (t) => {
  const h = ruleHarness({ rules: [offline], pollPeriodMs: PERIOD });
  const poll = (readings: Record<string, PointReading>) => h.engine.onPoll('d1', h.clock.unixTimeMs(), readings);
  poll(good);
  for (let i = 1; i <= 2; i++) {
    await h.clock.advance(PERIOD);
    poll(dead);
  }
  t.deepEqual(h.events, [], 'two missed periods are tolerated');
  await h.clock.advance(PERIOD);
  poll(dead);
  t.deepEqual(eventTrail(h.events), ['lvl.offline/warning/raised']);
  t.is(h.events[0].t, h.clock.unixTimeMs());
  t.is(h.events[0].point, undefined);
  t.is(h.events[0].message, 'warning: d1 silent for 3 poll periods');
  await h.clock.advance(PERIOD);
  poll(dead);
  t.is(h.events.length, 1, 'raised once');
  await h.clock.advance(PERIOD);
  poll(good);
  t.deepEqual(eventTrail(h.events), ['lvl.offline/warning/raised', 'lvl.offline/warning/cleared']);
  h.engine.close();
});

test('read failures reported point by point count the same as failed polls', async (t) => {
  const h = ruleHarness({ rules: [{ ...offline, periods: 2 }], pollPeriodMs: PERIOD });
  h.engine.onSample({ device: 'd1', point: 'level', t: 0, value: 3 });
  await h.clock.advance(PERIOD);
  h.engine.onReadFailure('d1', 'level', h.clock.unixTimeMs());
  t.deepEqual(h.events, []);
  await h.clock.advance(PERIOD);
  h.engine.onReadFailure('d1', undefined, h.clock.unixTimeMs());
  t.deepEqual(eventTrail(h.events), ['lvl.offline/warning/raised']);
  h.engine.close();
});

test('a poll where one point fails but another reads keeps the device online', async (t) => {
  const h = ruleHarness({ rules: [offline], pollPeriodMs: PERIOD });
  for (let i = 0; i < 6; i++) {
    await h.clock.advance(PERIOD);
    h.engine.onPoll('d1', h.clock.unixTimeMs(), { level: dead.level, temperature: { ok: true, value: 20 } });
  }
  t.deepEqual(h.events, []);
  h.engine.close();
});

test('the watchdog raises offline when the poller stops calling altogether, half a period after the deadline', async (t) => {
  const h = ruleHarness({ rules: [offline], pollPeriodMs: PERIOD });
  h.engine.onSample({ device: 'd1', point: 'level', t: h.clock.unixTimeMs(), value: 1 });
  await h.clock.advance(3.5 * PERIOD - 1);
  t.deepEqual(h.events, []);
  await h.clock.advance(1);
  t.deepEqual(eventTrail(h.events), ['lvl.offline/warning/raised']);
  t.is(h.events[0].t, h.clock.unixTimeMs());
  await h.clock.advance(10 * PERIOD);
  t.is(h.events.length, 1, 'the watchdog reports once');
  h.engine.onSample({ device: 'd1', point: 'level', t: h.clock.unixTimeMs(), value: 1 });
  t.deepEqual(eventTrail(h.events), ['lvl.offline/warning/raised', 'lvl.offline/warning/cleared']);
  h.engine.close();
  t.is(h.clock.pending, 0, 'close() leaves no timer behind');
});

test('a device that never answers after boot is offline after the same allowance', async (t) => {
  const h = ruleHarness({ rules: [offline], pollPeriodMs: PERIOD });
  await h.clock.advance(3.5 * PERIOD);
  t.deepEqual(eventTrail(h.events), ['lvl.offline/warning/raised']);
  h.engine.close();
});

test('readings that keep coming push the watchdog on; the poll period is asked for each time', async (t) => {
  let period = PERIOD;
  const h = ruleHarness({ rules: [offline], extra: { pollPeriodMs: () => period } });
  for (let i = 0; i < 20; i++) {
    await h.clock.advance(PERIOD);
    h.engine.onSample({ device: 'd1', point: 'level', t: h.clock.unixTimeMs(), value: i });
  }
  t.deepEqual(h.events, []);
  period = 10_000; // water present: the poller speeds up, and so does the offline deadline
  await h.clock.advance(30_000);
  h.engine.onReadFailure('d1', 'level', h.clock.unixTimeMs());
  t.deepEqual(eventTrail(h.events), ['lvl.offline/warning/raised']);
  h.engine.close();
});

test('a schedule that stops after the period was shortened is offline by the new period, not the old one', async (t) => {
  // An hourly device sped up to 10 s (adaptive polling): one valid reading at the new period, then no poll at all.
  let period = 3_600_000;
  const h = ruleHarness({ rules: [offline], extra: { pollPeriodMs: () => period } });
  h.engine.onSample({ device: 'd1', point: 'level', t: h.clock.unixTimeMs(), value: 1 });
  await h.clock.advance(60_000);
  period = 10_000;
  h.engine.onSample({ device: 'd1', point: 'level', t: h.clock.unixTimeMs(), value: 2 });
  await h.clock.advance(35_000 - 1);
  t.deepEqual(h.events, [], 'within 3.5 new periods of the last reading');
  await h.clock.advance(1);
  t.deepEqual(eventTrail(h.events), ['lvl.offline/warning/raised'], 'the stopped schedule is news 3.5 × 10 s after the last reading, not 3.5 h');
  h.engine.close();
  t.is(h.clock.pending, 0);
});

test('pollPeriodChanged: a period shortened by downlink moves the watchdog even if no poll ever comes again', async (t) => {
  let period = 3_600_000;
  const h = ruleHarness({ rules: [offline], extra: { pollPeriodMs: () => period } });
  h.engine.onSample({ device: 'd1', point: 'level', t: h.clock.unixTimeMs(), value: 1 });
  await h.clock.advance(5_000);
  period = 10_000;
  h.engine.pollPeriodChanged('d1');
  await h.clock.advance(35_000 - 1);
  t.deepEqual(h.events, [], 'the full allowance of the new period from the change: no alarm for a poll the old period never asked for');
  await h.clock.advance(1);
  t.deepEqual(eventTrail(h.events), ['lvl.offline/warning/raised'], '3.5 × 10 s after the change, not 3.5 h after the last reading');
  // A longer period does not bring the deadline forward; the watchdog finds the later one when it fires.
  h.engine.pollPeriodChanged('d1');
  h.engine.pollPeriodChanged('unknown-device');
  t.is(h.events.length, 1);
  h.engine.close();
});

test('one watchdog timer for all offline watches: devices that keep answering do not wake the clock once per device', async (t) => {
  const DEVICES = 200;
  const SECOND = 1000;
  const rules: OfflineRule[] = Array.from({ length: DEVICES }, (_, i) => ({ kind: 'offline', id: `d${i}.offline`, device: `d${i}`, level: 'warning' }));
  const h = ruleHarness({ rules, pollPeriodMs: SECOND });
  let wakeUps = 0;
  const schedule = h.clock.schedule.bind(h.clock);
  h.clock.schedule = (delayMs, callback) => schedule(delayMs, () => {
    wakeUps++;
    callback();
  });
  h.engine.pollingStarted();
  t.is(h.clock.pending, 1, 'one timer watches every device');
  // Every device answers once a second, spread over the second as a bus polls them one after another.
  let lastAnswer = 0;
  for (let s = 0; s < 60; s++) {
    for (let i = 0; i < DEVICES; i++) {
      await h.clock.advance(SECOND / DEVICES);
      h.engine.onPoll(`d${i}`, h.clock.unixTimeMs(), good);
      if (i === 0) lastAnswer = h.clock.now();
    }
  }
  t.deepEqual(h.events, []);
  // A timer per watch fires about every 3 s per device: 4,000 wake-ups in this minute.
  t.true(wakeUps <= 30, `${wakeUps} watchdog wake-ups in a minute of 200 devices answering`);
  // Then every device falls silent: each is still reported at its own time, 3.5 periods after its last answer.
  await h.clock.advance(lastAnswer + 3.5 * SECOND - 1 - h.clock.now());
  t.deepEqual(h.events, []);
  await h.clock.advance(1);
  t.deepEqual(eventTrail(h.events), ['d0.offline/warning/raised']);
  await h.clock.advance(SECOND);
  t.is(h.events.length, DEVICES, 'every silent device is reported');
  h.engine.close();
  t.is(h.clock.pending, 0, 'close() leaves no timer behind');
});
