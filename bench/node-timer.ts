/**
 * Node side of the benchmarks: wall-clock nanoseconds per operation of a
 * workload, with process.hrtime.bigint(). The batch size is calibrated so one
 * round takes about `roundMs`; after a warm-up (so V8 has optimised the code)
 * several rounds run and the median is reported.
 */
import type { Workload } from './workloads/harness.js';

export interface NodeTimerOptions {
  /** Target duration of one round, ms (default 100). */
  roundMs?: number;
  /** Measured rounds (default 9). */
  rounds?: number;
  /** Warm-up time before measuring, ms (default 300). */
  warmupMs?: number;
}

export interface NodeTiming {
  /** Median ns per operation over the rounds. */
  nsPerOp: number;
  /** Operations per round. */
  iterations: number;
  rounds: number;
  /** ns per operation of every round, in run order. */
  roundNsPerOp: number[];
  /** (slowest − fastest) / median, a quick noise indicator. */
  spread: number;
}

async function timed(workload: Workload, iterations: number): Promise<number> {
  const start = process.hrtime.bigint();
  const done = await workload.run(iterations);
  const elapsed = Number(process.hrtime.bigint() - start);
  if (done !== iterations) throw new Error(`workload reported ${done} operations, expected ${iterations}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Time `workload` (already set up). */
export async function timeOnNode(workload: Workload, options: NodeTimerOptions = {}): Promise<NodeTiming> {
  const roundNs = (options.roundMs ?? 100) * 1e6;
  const rounds = options.rounds ?? 9;
  const warmupNs = (options.warmupMs ?? 300) * 1e6;

  // Calibrate: grow the batch until it takes a measurable share of a round.
  let iterations = 1;
  let elapsed = await timed(workload, iterations);
  while (elapsed < roundNs / 8 && iterations < 1 << 28) {
    iterations *= 2;
    elapsed = await timed(workload, iterations);
  }
  iterations = Math.max(1, Math.round((iterations * roundNs) / Math.max(elapsed, 1)));

  let warm = 0;
  while (warm < warmupNs) warm += await timed(workload, iterations);

  const roundNsPerOp: number[] = [];
  for (let r = 0; r < rounds; r++) roundNsPerOp.push((await timed(workload, iterations)) / iterations);
  const nsPerOp = median(roundNsPerOp);
  return { nsPerOp, iterations, rounds, roundNsPerOp, spread: (Math.max(...roundNsPerOp) - Math.min(...roundNsPerOp)) / nsPerOp };
}
