import { test } from '../../test/kit/core-test.js';
import { mulberry32 } from '../../simulators/models/prng.js';
import { stormModel } from '../../simulators/models/storm.js';
import type { DeviceManifest } from '../devices/manifest.js';
import type { ThresholdRule } from './config.js';
import { defaultRulesFor } from './defaults.js';
import { eventTrail, ruleHarness } from './testing/harness.js';

const levelManifest: DeviceManifest = {
  id: 'water-level-rs485',
  name: 'Level transmitter',
  vendor: 'generic',
  category: 'water-level',
  protocol: 'modbus',
  line: { baud: 9600, parity: 'none', stopBits: 1 },
  defaultAddress: 1,
  pollPeriodS: 60,
  points: [{ id: 'level', name: 'Water level', unit: 'cm', role: 'measurement', fc: 3, address: 4, type: 'int16' }],
};

function defaultLevelRule(): ThresholdRule {
  const rule = defaultRulesFor({ id: 'underpass-1', manifest: levelManifest.id, address: 1 }, levelManifest).find((r) => r.kind === 'threshold');
  if (rule?.kind !== 'threshold') throw new Error('no default level rule');
  return rule;
}

function levelRule(overrides: Partial<ThresholdRule> = {}): ThresholdRule {
  return {
    kind: 'threshold',
    id: 'lvl',
    device: 'd1',
    point: 'level',
    levels: [
      { level: 'warning', above: 15 },
      { level: 'critical', above: 25 },
    ],
    ...overrides,
  };
}

function feed(h: ReturnType<typeof ruleHarness>, device: string, values: number[], stepMs = 60_000, start = 0): void {
  values.forEach((value, i) => h.engine.onSample({ device, point: 'level', t: start + i * stepMs, value }));
}

test('a storm raises warning at 15 cm, critical at 25 cm, and clears both on the way down past the hysteresis', (t) => {
  const rule = defaultLevelRule();
  const h = ruleHarness({ rules: [rule] });
  // The simulator's storm for this manifest: dry 0, peak 40 cm, with sensor noise.
  const storm = stormModel({ dry: 0, peak: 40, startMinutes: 60, riseMinutes: 45, holdMinutes: 90, fallMinutes: 120, noise: 0.3 }, 7);
  const values: number[] = [];
  for (let minute = 0; minute <= 420; minute++) values.push(storm.valueAt(minute));
  feed(h, 'underpass-1', values);

  t.deepEqual(eventTrail(h.events), [
    'underpass-1.level/warning/raised',
    'underpass-1.level/critical/raised',
    'underpass-1.level/critical/cleared',
    'underpass-1.level/warning/cleared',
  ]);
  const [warnUp, critUp, critDown, warnDown] = h.events;
  t.true((warnUp.value as number) >= 15 && (warnUp.value as number) < 25);
  t.true((critUp.value as number) >= 25);
  t.true((critDown.value as number) < 23, 'critical clears only below 25 − 2 cm');
  t.true((warnDown.value as number) < 13, 'warning clears only below 15 − 2 cm');
  t.true(critUp.t > warnUp.t && critDown.t > critUp.t && warnDown.t > critDown.t);
  t.is(warnUp.point, 'level');
  t.is(warnUp.device, 'underpass-1');
  t.deepEqual(h.engine.activeAlarms(), []);
});

test('a jump past both levels raises warning then critical in one sample; a drop clears critical then warning', (t) => {
  const h = ruleHarness({ rules: [levelRule({ hysteresis: 1 })] });
  feed(h, 'd1', [0, 30, 0]);
  t.deepEqual(eventTrail(h.events), ['lvl/warning/raised', 'lvl/critical/raised', 'lvl/critical/cleared', 'lvl/warning/cleared']);
  t.deepEqual(
    h.events.map((e) => e.t),
    [60_000, 60_000, 120_000, 120_000],
  );
});

test('hysteresis: a raised level clears only strictly below threshold − hysteresis', (t) => {
  const h = ruleHarness({ rules: [levelRule({ hysteresis: 2, levels: [{ level: 'warning', above: 15 }] })] });
  feed(h, 'd1', [15, 14, 13.5, 13, 15.5, 12.99]);
  t.deepEqual(eventTrail(h.events), ['lvl/warning/raised', 'lvl/warning/cleared']);
  t.is(h.events[1].value, 12.99);
});

test('below thresholds raise as pressure falls and clear above threshold + hysteresis', (t) => {
  const rule: ThresholdRule = {
    kind: 'threshold',
    id: 'p-low',
    device: 'h1',
    point: 'pressure',
    levels: [
      { level: 'warning', below: 0.14 },
      { level: 'critical', below: 0.1 },
    ],
    hysteresis: 0.02,
  };
  const h = ruleHarness({ rules: [rule] });
  [0.35, 0.14, 0.12, 0.09, 0.11, 0.125, 0.15, 0.17].forEach((value, i) => h.engine.onSample({ device: 'h1', point: 'pressure', t: i * 1000, value }));
  t.deepEqual(eventTrail(h.events), ['p-low/warning/raised', 'p-low/critical/raised', 'p-low/critical/cleared', 'p-low/warning/cleared']);
  t.deepEqual(
    h.events.map((e) => e.value),
    [0.14, 0.09, 0.125, 0.17],
  );
});

test('debounce by samples: one spike does not raise, two consecutive samples do; clears are debounced alike', (t) => {
  const h = ruleHarness({ rules: [levelRule({ debounceSamples: 2, levels: [{ level: 'warning', above: 15 }] })] });
  feed(h, 'd1', [10, 18, 10, 18]);
  t.deepEqual(h.events, [], 'isolated spikes');
  feed(h, 'd1', [18], 60_000, 4 * 60_000);
  t.deepEqual(eventTrail(h.events), ['lvl/warning/raised']);
  t.is(h.events[0].t, 4 * 60_000);
  feed(h, 'd1', [10, 18, 10, 10], 60_000, 5 * 60_000);
  t.deepEqual(eventTrail(h.events), ['lvl/warning/raised', 'lvl/warning/cleared']);
  t.is(h.events[1].t, 8 * 60_000);
});

test('debounce by duration: the condition must hold debounceS seconds since its first sample', (t) => {
  const h = ruleHarness({ rules: [levelRule({ debounceS: 120, levels: [{ level: 'warning', above: 15 }] })] });
  feed(h, 'd1', [16, 16, 10, 16, 16], 60_000);
  t.deepEqual(h.events, [], 'held 60 s, broken, held 60 s');
  feed(h, 'd1', [16], 60_000, 5 * 60_000);
  t.deepEqual(eventTrail(h.events), ['lvl/warning/raised']);
  t.is(h.events[0].t, 5 * 60_000);
});

test('non-numeric and non-finite values never move a threshold rule', (t) => {
  const h = ruleHarness({ rules: [levelRule()] });
  for (const value of [true, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) h.engine.onSample({ device: 'd1', point: 'level', t: 0, value });
  h.engine.onSample({ device: 'd1', point: 'other', t: 0, value: 99 });
  h.engine.onSample({ device: 'd2', point: 'level', t: 0, value: 99 });
  t.deepEqual(h.events, []);
});

/** Level noise: mean ± 1 cm uniform, from a seeded generator so a failure replays. */
function noisyLevels(seed: number, mean: number, count: number): number[] {
  const next = mulberry32(seed);
  return Array.from({ length: count }, () => mean + (next() * 2 - 1));
}

test('a level hovering at 15 cm ± 1 cm does not flap with the default hysteresis and debounce', (t) => {
  for (const seed of [1, 2, 3, 42, 2026]) {
    const h = ruleHarness({ rules: [defaultLevelRule()] });
    feed(h, 'underpass-1', noisyLevels(seed, 15, 600));
    t.deepEqual(eventTrail(h.events), ['underpass-1.level/warning/raised'], `seed ${seed}`);
  }
});

test('a level hovering just under the threshold (14.5 cm ± 1 cm) raises once at most and never clears', (t) => {
  for (const seed of [5, 6, 7]) {
    const h = ruleHarness({ rules: [defaultLevelRule()] });
    feed(h, 'underpass-1', noisyLevels(seed, 14.5, 600));
    t.deepEqual(eventTrail(h.events), ['underpass-1.level/warning/raised'], `seed ${seed}`);
  }
});

test('the same noise without hysteresis or debounce would flap (the noise test has teeth)', (t) => {
  const h = ruleHarness({ rules: [levelRule({ levels: [{ level: 'warning', above: 15 }] })] });
  feed(h, 'd1', noisyLevels(1, 15, 600));
  t.true(h.events.length > 50, `${h.events.length} events`);
});
