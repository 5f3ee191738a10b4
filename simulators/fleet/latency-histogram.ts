/**
 * Latency percentiles in bounded memory, mergeable: an HDR-style histogram of
 * whole milliseconds. Values below 2,048 ms each have their own bucket; above,
 * every power of two is cut into 1,024 buckets, so a percentile is the lower
 * edge of its bucket, at most 0.1 % below the exact value. Counts add, so the
 * histograms of shards merge into exactly the histogram of the whole run.
 */
const SUB_BITS = 10;
const SUB = 1 << SUB_BITS; // 1,024 buckets per power of two
const EXACT = 2 * SUB; // below this every millisecond is a bucket

/** The bucket of a whole-ms value ≥ 0. */
function bucketOf(value: number): number {
  if (value < EXACT) return value;
  const octave = Math.floor(Math.log2(value)) - SUB_BITS; // ≥ 1
  const width = 2 ** octave;
  return EXACT + (octave - 1) * SUB + Math.floor(value / width) - SUB;
}

/** The lowest value in a bucket. */
function lowestIn(bucket: number): number {
  if (bucket < EXACT) return bucket;
  const octave = Math.floor((bucket - EXACT) / SUB) + 1;
  return ((bucket - EXACT) % SUB + SUB) * 2 ** octave;
}

/** A histogram as JSON: bucket → count pairs (sparse), the count and the exact maximum. */
export interface HistogramJson {
  count: number;
  max: number;
  buckets: Array<[number, number]>;
}

export class LatencyHistogram {
  #counts = new Map<number, number>();
  #count = 0;
  #max = 0;

  get count(): number {
    return this.#count;
  }

  get max(): number {
    return this.#max;
  }

  record(ms: number): void {
    const value = Math.max(0, Math.round(ms));
    const bucket = bucketOf(value);
    this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + 1);
    this.#count++;
    if (value > this.#max) this.#max = value;
  }

  /**
   * The value at rank ⌊p·n⌋ (0-based, capped at n − 1) of the sorted values,
   * as the exact computation over a sorted list would pick it, to bucket precision.
   */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.min(this.#count - 1, Math.floor(p * this.#count));
    let seen = 0;
    for (const bucket of [...this.#counts.keys()].sort((a, b) => a - b)) {
      seen += this.#counts.get(bucket) as number;
      if (seen > rank) return Math.min(lowestIn(bucket), this.#max);
    }
    return this.#max;
  }

  /**
   * Counts between consecutive edges (ms): bin i holds the values in
   * [edges[i − 1], edges[i]) (from 0 for the first), and one more bin the
   * values from the last edge up. A bucket counts in the bin of its lowest
   * value, so a bin edge is exact below 2,048 ms and within 0.1 % above.
   */
  countsBetween(edges: readonly number[]): number[] {
    const bins = new Array<number>(edges.length + 1).fill(0);
    for (const [bucket, n] of this.#counts) {
      const low = lowestIn(bucket);
      let i = 0;
      while (i < edges.length && low >= edges[i]) i++;
      bins[i] += n;
    }
    return bins;
  }

  merge(other: LatencyHistogram): void {
    for (const [bucket, n] of other.#counts) this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + n);
    this.#count += other.#count;
    this.#max = Math.max(this.#max, other.#max);
  }

  toJSON(): HistogramJson {
    return { count: this.#count, max: this.#max, buckets: [...this.#counts].sort((a, b) => a[0] - b[0]) };
  }

  static fromJSON(json: HistogramJson): LatencyHistogram {
    const h = new LatencyHistogram();
    for (const [bucket, n] of json.buckets) h.#counts.set(bucket, n);
    h.#count = json.count;
    h.#max = json.max;
    return h;
  }
}
