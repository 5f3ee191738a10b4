/**
 * XS side of the benchmarks: bundle a workload module for XS (esbuild, the
 * same settings as the core tests), evaluate it with bench/xs-dispatch.ts in
 * an xsnap worker, and read the deterministic compute meter of each crank.
 *
 * Per-operation cost = (compute of a crank running the workload K times
 *                       − compute of a crank running the empty baseline K times) / K,
 * both cranks going through the same dispatch code and the same loop.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleModuleForXs } from '../test/xs/bundle.js';
import { startXsWorker, type XsWorker } from '../test/xs/worker.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DISPATCH = path.join(here, 'xs-dispatch.ts');
const MODULE_GLOBAL = '__axonBench';

export interface XsMeasurement {
  workload: string;
  /** Operations per measured crank (K). */
  iterations: number;
  /** (computeWork − computeEmpty) / K. */
  perOp: number;
  computeWork: number;
  computeEmpty: number;
  /** Every measured repeat gave the same work and empty figures. */
  identical: boolean;
  /** Work-crank compute of each repeat (warm-up excluded). */
  workRepeats: number[];
  emptyRepeats: number[];
}

export interface XsHeap {
  /** Live heap slots after evaluating the bundles and collecting garbage. */
  afterEvaluate: number;
  /** Live heap slots after setup, the measured runs and a collection. */
  afterRun: number;
}

interface Outcome {
  state: 'pending' | 'ok' | 'error';
  value?: unknown;
  error?: string;
}

export class XsBench {
  readonly #worker: XsWorker;
  readonly #names: string[];
  readonly #label: string;
  #heapAfterEvaluate = 0;
  readonly #ready = new Set<string>();

  private constructor(worker: XsWorker, names: string[], label: string) {
    this.#worker = worker;
    this.#names = names;
    this.#label = label;
  }

  /** Bundle `moduleFile` (which exports `workloads`) and load it into a fresh XS worker. */
  static async open(moduleFile: string, label: string): Promise<XsBench> {
    const [moduleCode, dispatchCode] = await Promise.all([bundleModuleForXs(moduleFile, MODULE_GLOBAL), bundleModuleForXs(DISPATCH, '__axonBenchDispatch')]);
    const worker = await startXsWorker(`bench-${label}`, () => undefined);
    try {
      await worker.evaluate(moduleCode);
      await worker.evaluate(dispatchCode);
      const names = JSON.parse(await worker.command('list')) as string[];
      if (names.length > 10) throw new Error(`${label}: at most 10 workloads per module (single-digit indices keep the dispatch cost equal)`);
      const bench = new XsBench(worker, names, label);
      bench.#heapAfterEvaluate = await bench.#gcHeap();
      return bench;
    } catch (error) {
      await worker.close();
      throw error;
    }
  }

  get names(): readonly string[] {
    return this.#names;
  }

  #index(name: string): number {
    const index = this.#names.indexOf(name);
    if (index < 0) throw new Error(`${this.#label}: no workload '${name}' in the XS bundle (has ${this.#names.join(', ')})`);
    return index;
  }

  async #result(what: string): Promise<unknown> {
    const outcome = JSON.parse(await this.#worker.command('result')) as Outcome;
    if (outcome.state === 'pending') throw new Error(`${this.#label}: ${what} did not finish within its crank (a promise nothing resolves?)`);
    if (outcome.state === 'error') throw new Error(`${this.#label}: ${what} failed inside XS: ${outcome.error}`);
    return outcome.value;
  }

  async #setup(name: string): Promise<void> {
    if (this.#ready.has(name)) return;
    await this.#worker.command(`setup ${this.#index(name)}`);
    await this.#result(`setup of ${name}`);
    this.#ready.add(name);
  }

  async #gcHeap(): Promise<number> {
    return (await this.#worker.commandWithMeter('gc')).currentHeapCount;
  }

  /** One operation of `name` inside XS; resolves to its decoded result (plain data). */
  async once(name: string): Promise<unknown> {
    await this.#setup(name);
    await this.#worker.command(`once ${this.#index(name)}`);
    return this.#result(`one operation of ${name}`);
  }

  async #runCrank(name: string, iterations: number): Promise<number> {
    const usage = await this.#worker.commandWithMeter(`run ${this.#index(name)} ${iterations}`);
    const done = await this.#result(`${iterations} operations of ${name}`);
    if (done !== iterations) throw new Error(`${this.#label}: ${name} reported ${String(done)} operations, expected ${iterations}`);
    return usage.compute;
  }

  /**
   * Measure `name` against `baseline`: one warm-up pair of cranks, then
   * `repeats` pairs; the figures of the last pair are reported and all
   * repeats are compared.
   */
  async measure(name: string, baseline: string, iterations: number, repeats = 2): Promise<XsMeasurement> {
    await this.#setup(baseline);
    await this.#setup(name);
    await this.#runCrank(baseline, iterations);
    await this.#runCrank(name, iterations);
    const workRepeats: number[] = [];
    const emptyRepeats: number[] = [];
    for (let r = 0; r < repeats; r++) {
      emptyRepeats.push(await this.#runCrank(baseline, iterations));
      workRepeats.push(await this.#runCrank(name, iterations));
    }
    const computeWork = workRepeats[workRepeats.length - 1];
    const computeEmpty = emptyRepeats[emptyRepeats.length - 1];
    return {
      workload: name,
      iterations,
      perOp: (computeWork - computeEmpty) / iterations,
      computeWork,
      computeEmpty,
      identical: workRepeats.every((c) => c === computeWork) && emptyRepeats.every((c) => c === computeEmpty),
      workRepeats,
      emptyRepeats,
    };
  }

  async heap(): Promise<XsHeap> {
    return { afterEvaluate: this.#heapAfterEvaluate, afterRun: await this.#gcHeap() };
  }

  async close(): Promise<void> {
    await this.#worker.close();
  }
}

/** Size of a module's XS bundle as evaluated (esbuild IIFE, not minified) and minified. */
export async function bundleSize(moduleFile: string): Promise<{ bytes: number; minifiedBytes: number }> {
  const code = await bundleModuleForXs(moduleFile, MODULE_GLOBAL);
  const minified = await build({
    entryPoints: [moduleFile],
    bundle: true,
    write: false,
    minify: true,
    platform: 'neutral',
    format: 'iife',
    globalName: MODULE_GLOBAL,
    target: 'es2022',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['import', 'default'],
    logLevel: 'silent',
  });
  return { bytes: Buffer.byteLength(code, 'utf8'), minifiedBytes: minified.outputFiles[0].contents.length };
}
