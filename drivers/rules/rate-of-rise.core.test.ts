import { test } from '../../test/kit/core-test.js';
import { mulberry32 } from '../../simulators/models/prng.js';
import type { RateOfRiseRule } from './config.js';
import { RateOfRiseEvaluator } from './rate-of-rise.js';
import { eventTrail, ruleHarness } from './testing/harness.js';

const heatRise: RateOfRiseRule = { kind: 'rate-of-rise', id: 'rise', device: 'fd1', point: 'temperature', perMinute: 10, windowS: 60, level: 'critical' };

/** Temperature every 10 s: `base` until `startS`, then rising `perMinute` up to `max`, with ±noise. */
function ramp(options: { base: number; startS: number; perMinute: number; max: number; seconds: number; noise?: number; seed?: number }): Array<{ t: number; value: number }> {
  const next = mulberry32(options.seed ?? 1);
  const samples: Array<{ t: number; value: number }> = [];
  for (let s = 0; s <= options.seconds; s += 10) {
    const rise = Math.max(0, s - options.startS) / 60 * options.perMinute;
    const noise = (next() * 2 - 1) * (options.noise ?? 0);
    samples.push({ t: s * 1000, value: Math.min(options.max, options.base + rise) + noise });
  }
  return samples;
}

test('a fast heat ramp (15 °C/min) raises rate-of-rise within a minute and clears once the temperature levels off', (t) => {
  const h = ruleHarness({ rules: [heatRise] });
  for (const { t: time, value } of ramp({ base: 24, startS: 120, perMinute: 15, max: 85, seconds: 900, noise: 0.2 })) {
    h.engine.onSample({ device: 'fd1', point: 'temperature', t: time, value });
  }
  t.deepEqual(eventTrail(h.events), ['rise/critical/raised', 'rise/critical/cleared']);
  const raisedAt = h.events[0].t;
  t.true(raisedAt > 120_000 && raisedAt <= 180_000, `raised at ${raisedAt} ms`);
  // The ramp reaches 85 °C at 120 + 244 s; the rate falls under 5 °C/min within the following window.
  t.true(h.events[1].t > 364_000 && h.events[1].t <= 430_000, `cleared at ${h.events[1].t} ms`);
});

test('a slow heat ramp (5 °C/min, noisy) never raises rate-of-rise', (t) => {
  for (const seed of [1, 2, 3]) {
    const h = ruleHarness({ rules: [heatRise] });
    for (const { t: time, value } of ramp({ base: 24, startS: 60, perMinute: 5, max: 200, seconds: 1800, noise: 0.3, seed })) {
      h.engine.onSample({ device: 'fd1', point: 'temperature', t: time, value });
    }
    t.deepEqual(h.events, [], `seed ${seed}`);
  }
});

test('the rate is (latest − oldest) per minute, and needs two samples spanning half the window', (t) => {
  const evaluator = new RateOfRiseEvaluator(heatRise);
  const normal = { isActive: () => false };
  t.deepEqual(evaluator.onSample({ device: 'fd1', point: 'temperature', t: 0, value: 20 }, normal), []);
  t.is(evaluator.rate(), undefined, 'one sample');
  t.deepEqual(evaluator.onSample({ device: 'fd1', point: 'temperature', t: 10_000, value: 25 }, normal), [], '30 °C/min over 10 s is not trusted yet');
  t.is(evaluator.rate(), undefined);
  const raised = evaluator.onSample({ device: 'fd1', point: 'temperature', t: 30_000, value: 26 }, normal);
  t.is(evaluator.rate(), 12, '(26 − 20) / 0.5 min');
  t.deepEqual(raised, [{ level: 'critical', state: 'raised', value: 26 }]);
  // 70 s: the 0 s sample has left the 60 s window; the oldest is now the 10 s one.
  evaluator.onSample({ device: 'fd1', point: 'temperature', t: 70_000, value: 31 }, normal);
  t.is(evaluator.rate(), 6);
});

test('exactly perMinute does not raise; the default clear line is half of it', (t) => {
  const h = ruleHarness({ rules: [heatRise] });
  const at = (s: number, value: number) => h.engine.onSample({ device: 'fd1', point: 'temperature', t: s * 1000, value });
  at(0, 20);
  at(60, 30);
  t.deepEqual(h.events, [], '10 °C/min is not > 10');
  at(120, 41);
  t.deepEqual(eventTrail(h.events), ['rise/critical/raised']);
  at(180, 46);
  t.is(h.events.length, 1, '5 °C/min is not below 5');
  at(240, 50);
  t.deepEqual(eventTrail(h.events), ['rise/critical/raised', 'rise/critical/cleared']);
});
