/**
 * The shape every benchmark workload has, on both engines.
 *
 * A workload is written once, in runtime-neutral TypeScript (the drivers/
 * rules apply: relative imports only, no host globals), and is
 *  - imported directly by the Node timer (bench/node-timer.ts), and
 *  - bundled for XS and driven by bench/xs-dispatch.ts (bench/xs-meter.ts).
 *
 * `setup()` builds the state (not measured). `run(n)` performs the unit of work
 * n times through one shared loop; the empty baselines below go through the
 * very same loop with an operation that does nothing, so subtracting them
 * removes the loop, the call and the dispatch overhead. `once()` performs the
 * unit of work a single time and returns what it decoded, as plain JSON data,
 * so the test and the XS meter can check that the measured code works.
 */

export type WorkloadKind = 'sync' | 'async';

export interface Workload {
  readonly kind: WorkloadKind;
  /** What one operation is, in a sentence (printed as the metric's note). */
  readonly description: string;
  setup(): void;
  /** One operation; its result is plain data (JSON-stable) describing what was decoded. */
  once(): unknown;
  /** `iterations` operations; resolves/returns the number performed. */
  run(iterations: number): number | Promise<number>;
}

export type WorkloadTable = Readonly<Record<string, Workload>>;

/** Results are parked here so no engine can discard the work as unused. */
let sinkSlot: unknown;

/** The last value a run produced (read by nobody in particular; it only has to escape). */
export function lastSink(): unknown {
  return sinkSlot;
}

function notReady(): never {
  throw new Error('workload used before setup()');
}

/** A synchronous workload: `prepare` runs in setup() and returns the operation. */
export function syncWorkload<T>(description: string, prepare: () => () => T, summarize: (result: T) => unknown = (r) => r): Workload {
  let op: () => T = notReady;
  return {
    kind: 'sync',
    description,
    setup() {
      op = prepare();
    },
    once() {
      return summarize(op());
    },
    run(iterations: number): number {
      const f = op;
      let last: T | undefined;
      for (let i = 0; i < iterations; i++) last = f();
      sinkSlot = last;
      return iterations;
    },
  };
}

/** An asynchronous workload (promise-based driver code run to completion in virtual time). */
export function asyncWorkload<T>(description: string, prepare: () => () => Promise<T>, summarize: (result: T) => unknown = (r) => r): Workload {
  let op: () => Promise<T> = notReady;
  return {
    kind: 'async',
    description,
    setup() {
      op = prepare();
    },
    async once() {
      return summarize(await op());
    },
    async run(iterations: number): Promise<number> {
      const f = op;
      let last: T | undefined;
      for (let i = 0; i < iterations; i++) last = await f();
      sinkSlot = last;
      return iterations;
    },
  };
}

/** Names of the baselines every workload table carries. */
export const EMPTY_SYNC = 'empty.sync';
export const EMPTY_ASYNC = 'empty.async';

/** The same loops with operations that do nothing: subtract these. */
export const baselines: WorkloadTable = {
  [EMPTY_SYNC]: syncWorkload('empty synchronous operation (baseline)', () => () => 0),
  [EMPTY_ASYNC]: asyncWorkload('empty asynchronous operation (baseline)', () => async () => 0),
};

/** The baseline that goes through the same loop as `workload`. */
export function baselineFor(workload: Workload): string {
  return workload.kind === 'sync' ? EMPTY_SYNC : EMPTY_ASYNC;
}
