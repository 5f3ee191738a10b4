import { test } from '../../test/kit/core-test.js';
import { createPointModel } from './index.js';
import { mulberry32, hashUnit } from './prng.js';

// Spreading thousands of values into Math.max overflows XS's stack: reduce instead.
function maxOf(values: number[]): number {
  return values.reduce((a, b) => (b > a ? b : a), -Infinity);
}
function minOf(values: number[]): number {
  return values.reduce((a, b) => (b < a ? b : a), Infinity);
}

function sample(model: { valueAt(m: number): number }, from: number, to: number, stepMinutes: number): number[] {
  const out: number[] = [];
  for (let m = from; m <= to + 1e-9; m += stepMinutes) out.push(model.valueAt(m));
  return out;
}

test('prng: mulberry32 and hashUnit are seeded, in [0,1) and reproducible', (t) => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  const xs = [a(), a(), a()];
  t.deepEqual([b(), b(), b()], xs);
  t.not(c(), xs[0]);
  for (let i = 0; i < 1000; i++) {
    const u = hashUnit(7, i);
    t.true(u >= 0 && u < 1);
  }
  t.is(hashUnit(7, 123), hashUnit(7, 123));
  t.not(hashUnit(7, 123), hashUnit(8, 123));
});

test('constant holds its value', (t) => {
  const m = createPointModel({ model: 'constant', value: 3 }, 1);
  t.deepEqual(sample(m, 0, 100, 25), [3, 3, 3, 3, 3]);
});

test('random-walk is deterministic for a time whatever the read pattern, stays in range, and moves', (t) => {
  const spec = { model: 'random-walk', base: 50, step: 2, min: 40, max: 60 } as const;
  const dense = createPointModel(spec, 9);
  const sparse = createPointModel(spec, 9);
  const backwards = createPointModel(spec, 9);
  const denseValues = new Map<number, number>();
  for (let m = 0; m <= 2000; m += 0.5) denseValues.set(m, dense.valueAt(m));
  // Sparse reads, out of order, across checkpoints.
  for (const m of [1999.5, 3, 700, 256, 255.5, 1024, 0.5, 1500]) {
    t.is(sparse.valueAt(m), denseValues.get(m), `minute ${m}`);
  }
  for (let m = 2000; m >= 0; m -= 97.5) t.is(backwards.valueAt(m), denseValues.get(m), `backwards minute ${m}`);
  const values = [...denseValues.values()];
  t.true(values.every((v) => v >= 40 && v <= 60), 'stays within min/max');
  t.true(maxOf(values) - minOf(values) > 4, 'actually wanders');
  t.is(dense.valueAt(0), 50);
  // Per-minute steps never exceed `step`.
  for (let m = 1; m <= 2000; m++) t.true(Math.abs(denseValues.get(m)! - denseValues.get(m - 1)!) <= 2 + 1e-9);
  const other = createPointModel(spec, 10);
  t.not(other.valueAt(500), dense.valueAt(500), 'another seed gives another walk');
});

test('sine oscillates around its mean with the given period', (t) => {
  const m = createPointModel({ model: 'sine', mean: 20, amplitude: 5, periodMinutes: 1440 }, 3);
  t.is(m.valueAt(0), 20);
  t.true(Math.abs(m.valueAt(360) - 25) < 1e-9);
  t.true(Math.abs(m.valueAt(1080) - 15) < 1e-9);
  t.true(Math.abs(m.valueAt(1440 + 360) - 25) < 1e-9);
  const noisy = createPointModel({ model: 'sine', mean: 20, amplitude: 5, periodMinutes: 1440, noise: 0.3 }, 3);
  const diffs = sample(noisy, 0, 1440, 7).map((v, i) => v - m.valueAt(i * 7));
  t.true(diffs.every((d) => Math.abs(d) <= 0.3 + 1e-9), 'noise bounded by its amplitude');
  t.true(diffs.some((d) => Math.abs(d) > 0.05), 'noise present');
  t.is(noisy.valueAt(123.25), createPointModel({ model: 'sine', mean: 20, amplitude: 5, periodMinutes: 1440, noise: 0.3 }, 3).valueAt(123.25));
});

test('storm: dry, smooth rise, holds at peak, falls back to dry', (t) => {
  const m = createPointModel({ model: 'storm', dry: 0, peak: 30, startMinutes: 60, riseMinutes: 40, holdMinutes: 30, fallMinutes: 90 }, 5);
  t.is(m.valueAt(0), 0);
  t.is(m.valueAt(59), 0);
  t.true(Math.abs(m.valueAt(80) - 15) < 1e-9, 'half way up at mid-rise');
  const rise = sample(m, 60, 100, 1);
  for (let i = 1; i < rise.length; i++) t.true(rise[i] >= rise[i - 1], 'rise is monotonic');
  // Smooth: no jump bigger than peak·π/(2·riseMinutes) per minute.
  for (let i = 1; i < rise.length; i++) t.true(rise[i] - rise[i - 1] <= (30 * Math.PI) / 80 + 1e-9);
  t.is(m.valueAt(100), 30);
  t.is(m.valueAt(129), 30);
  const all = sample(m, 0, 400, 0.5);
  t.is(maxOf(all), 30, 'peak is the maximum');
  t.true(Math.abs(m.valueAt(175) - 15) < 1e-9, 'half way down at mid-fall');
  t.is(m.valueAt(220), 0);
  t.is(m.valueAt(400), 0);
  const noisy = createPointModel({ model: 'storm', dry: 0, peak: 30, startMinutes: 60, riseMinutes: 40, holdMinutes: 30, fallMinutes: 90, noise: 1 }, 5);
  const noisyAll = sample(noisy, 0, 400, 0.5);
  t.true(noisyAll.every((v) => v >= 0), 'never below dry');
  t.true(Math.abs(maxOf(noisyAll) - 30) <= 1, 'noisy peak near peak');
});

test('fire ramps at ratePerMinute after start, capped at max', (t) => {
  const m = createPointModel({ model: 'fire', base: 25, startMinutes: 10, ratePerMinute: 12, max: 90 }, 1);
  t.is(m.valueAt(5), 25);
  t.is(m.valueAt(10), 25);
  t.is(m.valueAt(12), 49);
  t.is(m.valueAt(13) - m.valueAt(12), 12, 'rate of rise per minute');
  t.is(m.valueAt(30), 90);
  t.is(m.valueAt(300), 90);
  const noisy = createPointModel({ model: 'fire', base: 25, startMinutes: 10, ratePerMinute: 12, max: 90, noise: 0.5 }, 1);
  t.true(sample(noisy, 0, 60, 0.25).every((v) => v <= 90));
});

test('alarm is 0 outside its window and 1 inside', (t) => {
  const m = createPointModel({ model: 'alarm', startMinutes: 30, durationMinutes: 5 }, 1);
  t.deepEqual([m.valueAt(0), m.valueAt(29.99), m.valueAt(30), m.valueAt(34.99), m.valueAt(35), m.valueAt(100)], [0, 0, 1, 1, 0, 0]);
});

test('pressure-drop falls to low, holds, and recovers after the duration', (t) => {
  const m = createPointModel({ model: 'pressure-drop', base: 0.35, low: 0.08, startMinutes: 20, durationMinutes: 30 }, 1);
  t.is(m.valueAt(0), 0.35);
  t.is(m.valueAt(20), 0.35);
  t.true(Math.abs(m.valueAt(22) - 0.08) < 1e-12, 'down within two minutes');
  t.true(Math.abs(m.valueAt(49) - 0.08) < 1e-12, 'still low before the end');
  const recovery = sample(m, 50, 60, 0.5);
  for (let i = 1; i < recovery.length; i++) t.true(recovery[i] >= recovery[i - 1], 'recovery is monotonic');
  t.true(m.valueAt(52) > 0.08 && m.valueAt(52) < 0.35, 'recovering');
  t.true(Math.abs(m.valueAt(60) - 0.35) < 1e-12, 'back to base');
});

test('counter increases monotonically at ratePerHour', (t) => {
  const m = createPointModel({ model: 'counter', start: 1000, ratePerHour: 1.5 }, 1);
  t.is(m.valueAt(0), 1000);
  t.is(m.valueAt(60), 1001.5);
  t.is(m.valueAt(600), 1015);
  const values = sample(m, 0, 10000, 3.3);
  for (let i = 1; i < values.length; i++) t.true(values[i] > values[i - 1]);
});

test('unknown models are rejected with a fix', (t) => {
  t.throws(() => createPointModel({ model: 'tide' } as unknown as Parameters<typeof createPointModel>[0], 1), { code: 'SIM_UNKNOWN_MODEL' });
});
