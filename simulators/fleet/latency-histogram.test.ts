/** The latency histogram: exact below 2 s, within 0.1 % above, bounded, and merging is exact. */
import test from 'ava';
import fc from 'fast-check';
import { LatencyHistogram } from './latency-histogram.js';

const exact = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

test('percentiles match the sorted list: exactly below 2,048 ms, at most 0.1 % low above', (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 20_000_000 }), { minLength: 1, maxLength: 500 }), fc.double({ min: 0, max: 1, noNaN: true }), (values, p) => {
      const h = new LatencyHistogram();
      for (const v of values) h.record(v);
      const sorted = [...values].sort((a, b) => a - b);
      const want = exact(sorted, p);
      const got = h.percentile(p);
      if (want < 2048) t.is(got, want);
      else t.true(got <= want && got >= want * 0.999, `${got} vs ${want}`);
      t.is(h.max, sorted[sorted.length - 1]);
    }),
    { numRuns: 500 },
  );
});

test('a million values use a bounded number of buckets; shards merge to the whole', (t) => {
  const whole = new LatencyHistogram();
  const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
  let x = 1;
  for (let i = 0; i < 1_000_000; i++) {
    x = (Math.imul(x, 48271) >>> 0) % 2147483647;
    const v = x % 3_600_000;
    whole.record(v);
    parts[i % 3].record(v);
  }
  t.true(whole.toJSON().buckets.length < 14_000, `${whole.toJSON().buckets.length} buckets`);
  const merged = LatencyHistogram.fromJSON(JSON.parse(JSON.stringify(parts[0])));
  merged.merge(parts[1]);
  merged.merge(LatencyHistogram.fromJSON(parts[2].toJSON()));
  t.deepEqual(merged.toJSON(), whole.toJSON());
  t.is(merged.percentile(0.95), whole.percentile(0.95));
  t.is(new LatencyHistogram().percentile(0.5), 0);
});

test('counts between bin edges match counting the values: exact at edges below 2,048 ms, bucket-precise above', (t) => {
  const edges = [1_000, 2_000, 5_000, 60_000];
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 300 }), (values) => {
      const h = new LatencyHistogram();
      for (const v of values) h.record(v);
      const bins = h.countsBetween(edges);
      t.is(bins.length, edges.length + 1);
      t.is(bins.reduce((a, b) => a + b, 0), values.length);
      // Below 2,048 ms every value has its own bucket: the first two bins are exact.
      t.is(bins[0], values.filter((v) => v < 1_000).length);
      t.is(bins[1], values.filter((v) => v >= 1_000 && v < 2_000).length);
      // Above, a value within 0.1 % of an edge may count on either side of it.
      const near = values.filter((v) => edges.some((e) => e > 2_000 && Math.abs(v - e) <= e * 0.001)).length;
      t.true(Math.abs(bins[4] - values.filter((v) => v >= 60_000).length) <= near);
    }),
    { numRuns: 200 },
  );
});
