/**
 * Runs inside XS, after a workload module's bundle has set
 * `globalThis.__axonBench` (bench/xs-meter.ts evaluates both). The host sends
 * short ASCII commands; every command is one crank, so the compute meter of a
 * `run` crank covers that run and nothing else (promise jobs included: xsnap
 * drains them before it closes the crank).
 *
 *   list           → JSON array of workload names (index = position)
 *   setup <i>      → build workload i's state
 *   run <i> <k>    → k operations of workload i
 *   once <i>       → one operation, keeping its decoded result
 *   result         → JSON {state, value?, error?} of the last setup/run/once
 *   gc             → collect garbage (for heap figures)
 *
 * Indices are single digits and run counts are sent with the same digits for a
 * workload and its baseline, so the dispatch work is identical in both cranks.
 */
import type { WorkloadTable } from './workloads/harness.js';

type Outcome = { state: 'pending' } | { state: 'ok'; value: unknown } | { state: 'error'; error: string };

const host = globalThis as unknown as {
  __axonBench?: { workloads: WorkloadTable };
  handleCommand?: (bytes: ArrayBuffer) => ArrayBuffer;
  gc?: () => void;
};

const table = host.__axonBench?.workloads;
if (table === undefined) throw new Error('xs-dispatch: evaluate a workload bundle (globalThis.__axonBench) first');
const names = Object.keys(table);
const entries = names.map((name) => table[name]);

let outcome: Outcome = { state: 'ok', value: null };

function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

function start(task: () => unknown): void {
  outcome = { state: 'pending' };
  let value: unknown;
  try {
    value = task();
  } catch (error) {
    outcome = { state: 'error', error: describeError(error) };
    return;
  }
  Promise.resolve(value).then(
    (settled) => {
      outcome = { state: 'ok', value: settled };
    },
    (error: unknown) => {
      outcome = { state: 'error', error: describeError(error) };
    },
  );
}

/** JSON with non-ASCII escaped, one byte per character. */
function asciiJson(value: unknown): ArrayBuffer {
  const text = JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out.buffer;
}

const EMPTY = new ArrayBuffer(0);

host.handleCommand = (bytes: ArrayBuffer): ArrayBuffer => {
  const command = String.fromCharCode(...new Uint8Array(bytes));
  const parts = command.split(' ');
  const verb = parts[0];
  if (verb === 'run') {
    const workload = entries[Number(parts[1])];
    const iterations = Number(parts[2]);
    start(() => workload.run(iterations));
    return EMPTY;
  }
  if (verb === 'list') return asciiJson(names);
  if (verb === 'result') return asciiJson(outcome);
  if (verb === 'gc') {
    host.gc?.();
    return EMPTY;
  }
  const workload = entries[Number(parts[1])];
  if (workload === undefined) {
    outcome = { state: 'error', error: `no workload at index ${parts[1]}` };
    return EMPTY;
  }
  if (verb === 'setup') start(() => workload.setup());
  else if (verb === 'once') start(() => workload.once());
  else outcome = { state: 'error', error: `unknown command ${JSON.stringify(command)}` };
  return EMPTY;
};

export {};
