/**
 * A worker thread of `axon fleet sim --workers n`: runs the cells the main
 * thread hands it, one at a time, and posts back each cell's part and its
 * progress. Cells share nothing, so which worker runs which cell does not
 * change the report.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runCells, type FleetOptions } from './fleet.js';
import type { WorkerReply, WorkerRequest } from './workers.js';

const port = parentPort;
if (port === null) throw new Error('cell-worker.ts runs as a worker thread (simulators/fleet/workers.ts starts it)');
const options = (workerData as { options: FleetOptions }).options;
const reply = (message: WorkerReply) => port.postMessage(message);

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'stop') {
    port.close();
    return;
  }
  runCells(options, [request.cell], (progress) => reply({ type: 'progress', progress }))
    .then(([part]) => reply({ type: 'part', part }))
    .catch((error: unknown) => reply({ type: 'error', cell: request.cell, message: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) }));
});
reply({ type: 'ready' });
