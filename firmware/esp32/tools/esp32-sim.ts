/// <reference path="../sim/axon-heap.d.ts" />
/**
 * `npm run esp32:sim -- --hours <h>`: the ESP32 firmware on Moddable's engine
 * (the -p lin build of tools/esp32-build.ts, run headless by mcsim) against the
 * device and modem simulators for <h> virtual hours. Prints the harness report
 * (sim/report-summary.ts, as for the xsnap run) and the XS heap figures; exits
 * 1 on a failed poll, a lost byte, an unacknowledged message or a crash.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { HeapFigures } from 'axon-heap';
import { summarizeReport, type HarnessReport } from '../sim/report-summary.js';
import { buildLin, DEFAULT_SITE } from './esp32-build.js';
import { resolveModdable } from './moddable-sdk.js';
import { runMcsim } from './run-mcsim.js';

export interface SimResult {
  report: HarnessReport;
  /** Peaks from boot on (and what is in use at the end). */
  heap: HeapFigures;
  /** In use before boot: code loaded, simulators and doubles set up, after a full collection. */
  heapBase: HeapFigures;
  seconds: number;
}

/** Bytes of one XS slot on the ESP32 (32-bit pointers); 32 on 64-bit Linux. */
export const ESP32_SLOT_BYTES = 16;

/**
 * The firmware's peak XS heap on the ESP32, from a lin run: the peaks above the baseline before boot, slots
 * at the ESP32's 16 bytes, chunks as measured. An upper bound: lin chunks hold 64-bit values where the ESP32's
 * hold 32-bit ones, and the simulators' own work per exchange is in the same heap. Code and the site config
 * are not in it: on the device they are preloaded into flash.
 */
export function esp32HeapBytes(heap: HeapFigures, base: HeapFigures): number {
  return heap.chunkPeakBytes - base.chunkBytes + (heap.slotPeak - base.slots) * ESP32_SLOT_BYTES;
}

export async function simulate(options: { hours: number; site?: string; board?: string; onLine?: (line: string) => void }): Promise<SimResult> {
  const sdk = resolveModdable();
  const app = await buildLin(sdk, { hours: options.hours, site: options.site, board: options.board });
  const started = Date.now();
  // Generous: XS on a loaded 2-core machine runs about one virtual day in a few minutes.
  const run = await runMcsim(sdk, app, { timeoutMs: Math.max(10 * 60_000, options.hours * 10 * 60_000), onLine: options.onLine });
  if (run.outcome !== 'done') throw new Error(`the lin build did not finish: ${run.failure ?? run.outcome}`);
  const block = run.blocks.REPORT as { report: HarnessReport; heap: HeapFigures; heapBase: HeapFigures };
  return { report: block.report, heap: block.heap, heapBase: block.heapBase, seconds: (Date.now() - started) / 1000 };
}

/** What makes a run a failure. */
export function problems(report: HarnessReport): string[] {
  const out: string[] = [];
  const s = report.stats;
  if (s === undefined || s.polls === 0) out.push('no polls');
  if ((s?.failedPolls ?? 0) > 0) out.push(`${s?.failedPolls} failed polls`);
  for (const [port, uart] of Object.entries(report.uarts)) if (uart.lost > 0) out.push(`${uart.lost} bytes lost on UART${port}`);
  if (report.messages.length === 0 && (report.lorawan?.uplinks.length ?? 0) === 0) out.push('nothing reached the server');
  if ((report.lorawan?.busyViolations ?? 0) > 0) out.push(`${report.lorawan?.busyViolations} commands sent to the radio while BUSY was high`);
  return out;
}

const HELP = `Usage: npm run esp32:sim -- --hours <h> [--site <file>] [--board <file>]

Runs the ESP32 firmware's -p lin Moddable build headless (xvfb-run mcsim) against the
device and modem simulators for <h> virtual hours, and prints the run report and the
XS heap peaks. --board: a board config (default boards/devkitc-rs485-bc28.json); with a
LoRaWAN site and a board radio, the radio runs on the chip simulators.
Needs the Moddable SDK ($MODDABLE, or ../shared/moddable-sdk).
`;

async function cli(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { hours: { type: 'string' }, site: { type: 'string' }, board: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help === true || values.hours === undefined) {
    process.stdout.write(HELP);
    return values.help === true ? 0 : 2;
  }
  const hours = Number(values.hours);
  if (!(hours > 0)) {
    process.stderr.write(`esp32:sim: --hours must be a positive number, not '${values.hours}'\n`);
    return 2;
  }
  const result = await simulate({ hours, site: values.site ?? DEFAULT_SITE, board: values.board, onLine: (line) => process.stdout.write(`  ${line}\n`) });
  process.stdout.write(`esp32:sim (Moddable lin build, ${result.seconds.toFixed(0)} s):\n${summarizeReport(result.report).map((l) => `  ${l}\n`).join('')}`);
  const { heap: h, heapBase: b } = result;
  process.stdout.write(`  XS heap, firmware's share (peak above the pre-boot baseline): chunks ${h.chunkPeakBytes - b.chunkBytes} bytes, ${h.slotPeak - b.slots} slots; on the ESP32 (${ESP32_SLOT_BYTES}-byte slots): ${esp32HeapBytes(h, b)} bytes\n`);
  const failed = problems(result.report);
  if (failed.length > 0) process.stderr.write(`esp32:sim: FAILED: ${failed.join('; ')}\n`);
  return failed.length > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`esp32:sim: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
