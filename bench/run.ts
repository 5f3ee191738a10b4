/**
 * `npm run bench`: runs every suite and prints one JSON object per line on
 * stdout ({"metric", "value", "unit", ...}); progress goes to stderr.
 *
 *   npm run bench                 all suites
 *   npm run bench -- modbus       only suites whose name contains "modbus"
 *
 * Exits non-zero when a suite fails (including a workload that decodes the
 * wrong values: a benchmark must never time broken code).
 */
import { batchSuite } from './suites/batch.js';
import { planSuite } from './suites/plan.js';
import { storeSuite } from './suites/store.js';
import { crc16Suite } from './suites/crc16.js';
import { dlt645Suite } from './suites/dlt645.js';
import { modbusSuite } from './suites/modbus.js';
import { lorawanSuite } from './suites/lorawan.js';
import { nsSuite } from './suites/ns.js';
import { pipelineSuite } from './suites/pipeline.js';
import { fleetSuite } from './suites/fleet.js';
import { soakSuite } from './suites/soak.js';
import { rpiSuite } from './suites/rpi.js';
import { esp32Suite } from './suites/esp32.js';
import type { Metric, Suite, SuiteContext } from './suites/common.js';

const suites: Suite[] = [modbusSuite, dlt645Suite, crc16Suite, batchSuite, planSuite, storeSuite, pipelineSuite, nsSuite, lorawanSuite, fleetSuite, soakSuite, rpiSuite, esp32Suite];
const filter = process.argv[2];

const context: SuiteContext = {
  emit(metric: Metric) {
    process.stdout.write(JSON.stringify(metric) + '\n');
  },
  log(message: string) {
    process.stderr.write(message + '\n');
  },
  nodeTimer: {},
};

const started = process.hrtime.bigint();
let failed = 0;
for (const suite of suites) {
  if (filter !== undefined && !suite.name.includes(filter)) continue;
  const suiteStart = process.hrtime.bigint();
  context.log(`bench: ${suite.name}…`);
  try {
    await suite.run(context);
    context.log(`bench: ${suite.name} done in ${(Number(process.hrtime.bigint() - suiteStart) / 1e9).toFixed(1)} s`);
  } catch (error) {
    failed++;
    context.log(`bench: ${suite.name} FAILED: ${(error as Error).stack ?? String(error)}`);
  }
}
context.log(`bench: finished in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s${failed > 0 ? `, ${failed} suite(s) failed` : ''}`);
if (failed > 0) process.exitCode = 1;
