/**
 * Running a fleet's cells in worker threads (`axon fleet sim --workers n`):
 * each worker takes the next cell waiting when it finishes one, so a slow cell
 * does not hold the others back; parts come back in any order and merge into
 * the same report as a one-thread run (report.ts). A cell that fails fails the
 * run with its error.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CellProgress } from './cell.js';
import { ProgressTracker, resolveFleet, shardCells, type FleetOptions } from './fleet.js';
import { mergeParts, type CellPart, type FleetReport, type PartialReport } from './report.js';

/** From a clone the worker is TypeScript and needs tsx registered first; the built package (dist/) runs the compiled worker directly. */
const WORKER_ENTRY = import.meta.url.endsWith('.ts') ? new URL('./cell-worker-boot.js', import.meta.url) : new URL('./cell-worker.js', import.meta.url);

export type WorkerRequest = { type: 'cell'; cell: number } | { type: 'stop' };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'progress'; progress: CellProgress }
  | { type: 'part'; part: CellPart }
  | { type: 'error'; cell: number; message: string };

/** Default worker count: the machine's cores. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/** What a worker can receive: the options without functions (they do not cross threads). */
function portable(options: FleetOptions): FleetOptions {
  const { onProgress: _p, onNetworkEvent: _n, ...rest } = options;
  return rest;
}

/** Run `cells` of the fleet on `workers` threads; the parts, in cell order. */
export async function runCellsInWorkers(options: FleetOptions, cells: readonly number[], workers: number, onProgress?: (p: CellProgress) => void): Promise<CellPart[]> {
  const queue = [...cells];
  const parts: CellPart[] = [];
  const count = Math.max(1, Math.min(workers, queue.length));
  const threads: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      const next = (worker: Worker) => {
        const cell = queue.shift();
        if (cell === undefined) {
          worker.postMessage({ type: 'stop' } satisfies WorkerRequest);
          if (running === 0 && parts.length === cells.length) resolve();
          return;
        }
        running++;
        worker.postMessage({ type: 'cell', cell } satisfies WorkerRequest);
      };
      for (let i = 0; i < count; i++) {
        const worker = new Worker(WORKER_ENTRY, { workerData: { options: portable(options) } });
        threads.push(worker);
        worker.on('message', (reply: WorkerReply) => {
          if (reply.type === 'ready') next(worker);
          else if (reply.type === 'progress') onProgress?.(reply.progress);
          else if (reply.type === 'part') {
            running--;
            parts.push(reply.part);
            next(worker);
          } else reject(new Error(`fleet cell ${reply.cell} failed in a worker: ${reply.message}`));
        });
        worker.on('error', reject);
        // A worker that dies without a word (out of memory, killed) must not leave the run waiting.
        worker.on('exit', (code) => {
          if (code !== 0) reject(new Error(`a fleet worker thread exited with code ${code} before its cells were done`));
        });
      }
    });
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
  return parts.sort((a, b) => a.cell - b.cell);
}

/** The whole fleet on `workers` threads, merged into one report. */
export async function runFleetInWorkers(options: FleetOptions, workers: number): Promise<FleetReport> {
  const started = Date.now();
  const resolved = resolveFleet(options);
  const all = Array.from({ length: resolved.run.cells }, (_, c) => c);
  const tracker = new ProgressTracker(all, resolved.hours * 60 + resolved.drainMinutes);
  const parts = await runCellsInWorkers(options, all, workers, options.onProgress === undefined ? undefined : (p) => options.onProgress?.(tracker.update(p)));
  return mergeParts(resolved.run, parts, (Date.now() - started) / 1000);
}

/** One shard (`--shard i/n`) on `workers` threads: a partial report. */
export async function runShardInWorkers(options: FleetOptions, shard: { index: number; count: number }, workers: number): Promise<PartialReport> {
  const started = Date.now();
  const resolved = resolveFleet(options);
  const cells = shardCells(resolved.run.cells, shard.index, shard.count);
  const tracker = new ProgressTracker(cells, resolved.hours * 60 + resolved.drainMinutes);
  const parts = await runCellsInWorkers(options, cells, workers, options.onProgress === undefined ? undefined : (p) => options.onProgress?.(tracker.update(p)));
  return { format: 'axon-fleet-partial/1', run: resolved.run, shard, parts, wallSeconds: (Date.now() - started) / 1000 };
}
