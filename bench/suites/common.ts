/**
 * What the suites share: the metric line format, result checks, and the two
 * measurements (XS compute per operation, Node ns per operation) expressed as
 * metric lines.
 */
import { isDeepStrictEqual } from 'node:util';
import { timeOnNode, type NodeTimerOptions } from '../node-timer.js';
import type { Workload, WorkloadTable } from '../workloads/harness.js';
import { baselineFor } from '../workloads/harness.js';
import type { XsBench } from '../xs-meter.js';

/** One line of `npm run bench` output. */
export interface Metric {
  metric: string;
  value: number;
  unit: string;
  [extra: string]: string | number | boolean | number[] | undefined;
}

export interface SuiteContext {
  emit(metric: Metric): void;
  log(message: string): void;
  /** Scale for Node timing rounds (1 = default), so a quick run is possible. */
  nodeTimer: NodeTimerOptions;
}

export interface Suite {
  name: string;
  run(context: SuiteContext): Promise<void>;
}

/** Checks a decoded result; returns a complaint, or undefined when it is right. */
export type ResultCheck = (result: unknown) => string | undefined;

/** The result must equal `expected` as plain data (key order ignored). */
export function equals(expected: unknown): ResultCheck {
  return (result) => {
    const plain: unknown = JSON.parse(JSON.stringify(result));
    return isDeepStrictEqual(plain, expected) ? undefined : `got ${JSON.stringify(plain)}, expected ${JSON.stringify(expected)}`;
  };
}

/** The result must contain these fields with these values. */
export function hasFields(expected: Record<string, unknown>): ResultCheck {
  return (result) => {
    const plain = JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
    const wrong = Object.entries(expected).filter(([key, value]) => !isDeepStrictEqual(plain?.[key], value));
    return wrong.length === 0 ? undefined : `fields ${wrong.map(([k]) => k).join(', ')} differ: got ${JSON.stringify(plain)}`;
  };
}

export function workloadOf(table: WorkloadTable, name: string): Workload {
  const workload = table[name];
  if (workload === undefined) throw new Error(`no workload '${name}'`);
  return workload;
}

/** Set up `name` on Node, check one operation, time it, emit `<name>.node_ns_per_op`. */
export async function nodeMetric(context: SuiteContext, table: WorkloadTable, name: string, check: ResultCheck): Promise<void> {
  const workload = workloadOf(table, name);
  workload.setup();
  const complaint = check(await workload.once());
  if (complaint !== undefined) throw new Error(`${name} on Node decodes the wrong thing: ${complaint}`);
  const timing = await timeOnNode(workload, context.nodeTimer);
  context.emit({
    metric: `${name}.node_ns_per_op`,
    value: Math.round(timing.nsPerOp * 10) / 10,
    unit: 'ns/op',
    engine: `node ${process.version}`,
    iterations: timing.iterations,
    rounds: timing.rounds,
    spread: Math.round(timing.spread * 1000) / 1000,
    note: `median of ${timing.rounds} rounds after warm-up: ${workload.description}`,
  });
}

/** Check one operation inside XS, measure it against its baseline, emit `<name>.xs_compute`. */
export async function xsMetric(context: SuiteContext, bench: XsBench, table: WorkloadTable, name: string, iterations: number, check: ResultCheck): Promise<void> {
  const workload = workloadOf(table, name);
  const complaint = check(await bench.once(name));
  if (complaint !== undefined) throw new Error(`${name} inside XS decodes the wrong thing: ${complaint}`);
  const m = await bench.measure(name, baselineFor(workload), iterations);
  if (!m.identical) context.log(`warning: ${name}: XS compute differed between repeats (work ${m.workRepeats.join(', ')}; empty ${m.emptyRepeats.join(', ')})`);
  context.emit({
    metric: `${name}.xs_compute`,
    value: Math.round(m.perOp * 100) / 100,
    unit: 'compute/op',
    engine: 'xs (@agoric/xsnap)',
    iterations: m.iterations,
    compute_work: m.computeWork,
    compute_empty: m.computeEmpty,
    identical_repeats: m.identical,
    note: `(compute of ${m.iterations} ops - compute of ${m.iterations} empty ops) / ${m.iterations}, one crank each: ${workload.description}`,
  });
}
