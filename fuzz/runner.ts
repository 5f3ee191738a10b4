/**
 * The fuzz loop: inputs go to the targets in turn, each is timed on its own,
 * and anything other than a clean result or a typed error becomes a finding.
 *
 * Time is this process's CPU time (process.cpuUsage), not wall-clock time: on
 * a machine busy with other work a trivial decode can wait 100 ms for a core,
 * which says nothing about the decoder. An input over the limit is run twice
 * more and reported only if the fastest of the three is still over it, so a
 * garbage-collection pause is not taken for a decoder that loops either.
 */
import { performance } from 'node:perf_hooks';
import { generateInput } from './mutate.js';
import { Random } from './random.js';
import type { FuzzTarget } from './target.js';
import { isTypedError } from './typed-error.js';

export type FindingKind = 'error' | 'hang' | 'slow';

export interface Finding {
  target: string;
  kind: FindingKind;
  /** First line of the error (or the time taken). */
  message: string;
  /** Stack of the first occurrence, for errors. */
  stack?: string;
  /** The shortest input that showed it. */
  input: Uint8Array;
  /** Milliseconds (slow findings: the fastest of three runs). */
  ms?: number;
  /** Inputs that showed the same finding. */
  count: number;
}

export interface TargetStats {
  inputs: number;
  slowestMs: number;
}

export interface FuzzReport {
  runs: number;
  seed: number;
  elapsedMs: number;
  targets: Record<string, TargetStats>;
  findings: Finding[];
}

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** Report inputs that take more CPU time than this (default 100 ms). */
  slowMs?: number;
  onProgress?(done: number, findings: number): void;
  /** Called once per new finding, as soon as it is seen (a long run's findings need not wait for its end). */
  onFinding?(finding: Finding): void;
}

export type Outcome = { kind: 'ok' | 'rejected'; ms: number } | { kind: FindingKind; ms: number; error: unknown };

const HANG_MESSAGE = 'VirtualClock.run: nothing left to fire';

/** Feed one input to one target and classify what happened. */
export async function runOne(target: FuzzTarget, input: Uint8Array): Promise<Outcome> {
  const started = process.cpuUsage();
  const elapsedMs = () => {
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };
  try {
    await target.run(input);
    return { kind: 'ok', ms: elapsedMs() };
  } catch (error) {
    const ms = elapsedMs();
    if (isTypedError(error)) return { kind: 'rejected', ms };
    const hang = error instanceof Error && error.message.startsWith(HANG_MESSAGE);
    return { kind: hang ? 'hang' : 'error', ms, error };
  }
}

/** Same bug, same key: digits and quoted text vary with the input. */
function findingKey(target: string, kind: FindingKind, message: string): string {
  return `${target}\u0000${kind}\u0000${message.replace(/\d+/g, '#').replace(/"[^"]*"/g, '"…"').slice(0, 160)}`;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0];
}

export async function runFuzz(targets: readonly FuzzTarget[], options: FuzzOptions): Promise<FuzzReport> {
  const slowMs = options.slowMs ?? 100;
  const random = new Random(options.seed);
  const stats: Record<string, TargetStats> = {};
  for (const target of targets) stats[target.name] = { inputs: 0, slowestMs: 0 };
  const findings = new Map<string, Finding>();
  const note = (target: FuzzTarget, kind: FindingKind, message: string, input: Uint8Array, extra: Partial<Finding>) => {
    const key = findingKey(target.name, kind, message);
    const known = findings.get(key);
    if (known === undefined) {
      const finding: Finding = { target: target.name, kind, message, input, count: 1, ...extra };
      findings.set(key, finding);
      options.onFinding?.(finding);
    } else {
      known.count++;
      if (input.length < known.input.length) known.input = input;
    }
  };
  const started = performance.now();
  for (let i = 0; i < options.runs; i++) {
    const target = targets[i % targets.length];
    const input = generateInput(target, random);
    const outcome = await runOne(target, input);
    const s = stats[target.name];
    s.inputs++;
    if (outcome.kind === 'error' || outcome.kind === 'hang') {
      note(target, outcome.kind, firstLine(outcome.error), input, { stack: outcome.error instanceof Error ? outcome.error.stack : undefined });
    } else if (outcome.ms > slowMs) {
      const again = Math.min(outcome.ms, (await runOne(target, input)).ms, (await runOne(target, input)).ms);
      if (again > slowMs) note(target, 'slow', `took ${Math.round(again)} ms (limit ${slowMs} ms)`, input, { ms: again });
      s.slowestMs = Math.max(s.slowestMs, again);
    } else {
      s.slowestMs = Math.max(s.slowestMs, outcome.ms);
    }
    if (options.onProgress !== undefined && (i + 1) % 1000 === 0) options.onProgress(i + 1, findings.size);
  }
  return { runs: options.runs, seed: options.seed, elapsedMs: performance.now() - started, targets: stats, findings: [...findings.values()] };
}
