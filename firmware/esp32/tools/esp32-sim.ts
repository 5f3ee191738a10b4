/// <reference path="../sim/axon-heap.d.ts" />
/**
 * `npm run esp32:sim -- --hours <h>`: the ESP32 firmware on Moddable's engine
 * (the -p lin build of tools/esp32-build.ts, run headless by mcsim) against the
 * device and modem simulators for <h> virtual hours. Prints the harness report
 * counts (sim/report-summary.ts) and the XS heap figures; exits
 * 1 on a failed poll, a lost byte, an unacknowledged message or a crash.
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { HeapFigures } from 'axon-heap';
import { summarizeReport, type HarnessSummary } from '../sim/report-summary.js';
import { BUILD_DIR, buildLin, DEFAULT_SITE } from './esp32-build.js';
import { resolveModdable } from './moddable-sdk.js';
import { runMcsim } from './run-mcsim.js';

export interface SimResult {
  summary: HarnessSummary;
  /** Peaks from boot on, garbage included (what XS had allocated before it needed to collect). */
  heap: HeapFigures;
  /** The largest live heap (after a full collection) of the samples taken every 10 virtual seconds and after boot. */
  livePeak: HeapFigures;
  /** In use before boot: code loaded, simulators and doubles set up, after a full collection. */
  heapBase: HeapFigures;
  /** Live after boot (collected), and the marks around loading main.ts, the core and the site config. */
  afterBoot: HeapFigures;
  marks: Record<string, HeapFigures>;
  seconds: number;
  /** Where the firmware's trace() lines were written. */
  traceFile: string;
}

/** Bytes of one XS slot on the ESP32 (32-bit pointers); 32 on 64-bit Linux. */
export const ESP32_SLOT_BYTES = 16;

/**
 * Heap on the ESP32 between two lin figures: chunk bytes as measured, slots at the ESP32's 16 bytes. An upper
 * bound for the chunks: lin chunks hold 64-bit values where the ESP32's hold 32-bit ones.
 */
export function esp32Bytes(chunkBytes: number, slots: number): number {
  return chunkBytes + slots * ESP32_SLOT_BYTES;
}

/**
 * The firmware's peak XS heap on the ESP32, from a lin run: the peaks above the baseline before boot. Also an
 * upper bound because the simulators' own work per exchange is in the same heap. Code and the site config are
 * not in it: on the device they are preloaded into flash.
 */
export function esp32HeapBytes(heap: HeapFigures, base: HeapFigures): number {
  return esp32Bytes(heap.chunkPeakBytes - base.chunkBytes, heap.slotPeak - base.slots);
}

/** The firmware's live heap on the ESP32 at a sample, above the pre-boot baseline. */
export function esp32LiveBytes(live: HeapFigures, base: HeapFigures): number {
  return esp32Bytes(live.chunkBytes - base.chunkBytes, live.slots - base.slots);
}

export async function simulate(options: { hours: number; site?: string; board?: string; onLine?: (line: string) => void }): Promise<SimResult> {
  const sdk = resolveModdable();
  const app = await buildLin(sdk, { hours: options.hours, site: options.site, board: options.board });
  const started = Date.now();
  // The firmware's console (trace() lines, streamed out of XS by the app) to a file, not the terminal.
  const traceFile = path.join(BUILD_DIR, 'lin', 'esp32-sim-trace.txt');
  const trace = createWriteStream(traceFile);
  const onLine = (line: string): void => {
    if (line.startsWith('trace: ')) trace.write(`${line.slice(7)}\n`);
    else options.onLine?.(line);
  };
  // Generous: XS on a loaded 2-core machine runs a virtual hour in well under a minute.
  const run = await runMcsim(sdk, app, { timeoutMs: Math.max(10 * 60_000, options.hours * 3 * 60_000), onLine });
  await new Promise((resolve) => trace.end(resolve));
  if (run.outcome !== 'done') throw new Error(`the lin build did not finish: ${run.failure ?? run.outcome}`);
  const block = run.blocks.REPORT as Omit<SimResult, 'seconds' | 'traceFile'>;
  return { ...block, seconds: (Date.now() - started) / 1000, traceFile };
}

/** What makes a run a failure. */
export function problems(summary: HarnessSummary): string[] {
  const out: string[] = [];
  const s = summary.stats;
  if (s === undefined || s.polls === 0) out.push('no polls');
  if ((s?.failedPolls ?? 0) > 0) out.push(`${s?.failedPolls} failed polls`);
  for (const [port, uart] of Object.entries(summary.uarts)) if (uart.lost > 0) out.push(`${uart.lost} bytes lost on UART${port}`);
  if (summary.messages === 0 && (summary.lorawan?.uplinks ?? 0) === 0) out.push('nothing reached the server');
  if ((summary.lorawan?.busyViolations ?? 0) > 0) out.push(`${summary.lorawan?.busyViolations} commands sent to the radio while BUSY was high`);
  return out;
}

/** Where the firmware's heap goes, on the ESP32 (16-byte slots): the lines esp32:sim prints. */
export function heapBreakdown(result: Pick<SimResult, 'heap' | 'livePeak' | 'heapBase' | 'afterBoot' | 'marks'>): string[] {
  const { heap, heapBase: base, afterBoot, marks } = result;
  const lines: string[] = [];
  const begin = marks['modules-begin'];
  const end = marks['modules-end'];
  if (begin !== undefined && end !== undefined) {
    lines.push(`main.ts, the core and the site config instantiated (what manifest.json preloads into flash on the device): ${esp32Bytes(end.chunkBytes - begin.chunkBytes, end.slots - begin.slots)} bytes (chunks ${end.chunkBytes - begin.chunkBytes}, ${end.slots - begin.slots} slots)`);
  }
  lines.push(`live after boot (the gateway's objects): ${esp32Bytes(afterBoot.chunkBytes - base.chunkBytes, afterBoot.slots - base.slots)} bytes (chunks ${afterBoot.chunkBytes - base.chunkBytes}, ${afterBoot.slots - base.slots} slots)`);
  lines.push(`live peak (the firmware's objects at their most, sampled every 10 virtual seconds): ${esp32LiveBytes(result.livePeak, base)} bytes (chunks ${result.livePeak.chunkBytes - base.chunkBytes}, ${result.livePeak.slots - base.slots} slots)`);
  lines.push(`stack: ${heap.stackPeakSlots - base.stackPeakSlots} slots at its deepest, below the simulation's own frames (${heap.stackPeakSlots} from the top)`);
  lines.push(`peak with garbage (what XS allocated between collections; depends on when it collects): ${esp32HeapBytes(heap, base)} bytes (chunks ${heap.chunkPeakBytes - base.chunkBytes}, ${heap.slotPeak - base.slots} slots)`);
  return lines;
}

const HELP = `Usage: npm run esp32:sim -- --hours <h> [--site <file>] [--board <file>]

Runs the ESP32 firmware's -p lin Moddable build headless (xvfb-run mcsim) against the
device and modem simulators for <h> virtual hours (a day takes about 12 minutes on a
loaded 2-core machine), and prints the run's counts and the firmware's XS heap: the
modules' instantiation, live after boot, the live peak (sampled every 10 virtual
seconds), the stack's peak. The firmware's trace() lines go to
firmware/esp32/build/lin/esp32-sim-trace.txt.
--board: a board config (default boards/devkitc-rs485-bc28.json); with a LoRaWAN site
and a board radio, the radio runs on the chip simulators.
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
  process.stdout.write(`esp32:sim (Moddable lin build, ${result.seconds.toFixed(0)} s):\n${summarizeReport(result.summary).map((l) => `  ${l}\n`).join('')}`);
  process.stdout.write(`  firmware console: ${path.relative(process.cwd(), result.traceFile)}\n  XS heap on the ESP32 (${ESP32_SLOT_BYTES}-byte slots), above the pre-boot baseline:\n${heapBreakdown(result).map((l) => `    ${l}\n`).join('')}`);
  const failed = problems(result.summary);
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
