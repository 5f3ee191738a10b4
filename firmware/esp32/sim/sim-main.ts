/**
 * The ESP32 firmware on Moddable's own engine (a `-p lin` build run by mcsim),
 * against the device and modem simulators: the same harness as the xsnap test
 * (test-host/harness.ts: main.ts and the core with the host modules replaced
 * by doubles on one virtual clock), driven from inside the app instead of by
 * xsnap commands. It runs the scenario for the requested virtual time, samples
 * the XS heap (native heap.c: peaks above the baseline before boot, and marks
 * around module loading and boot), and prints the run's counts (the harness's
 * `summary`) with print(), framed so tools/esp32-sim.ts can read it. What is
 * not the firmware's is kept out of the XS heap: the littlefs files live in C
 * (flash.c), trace() lines go straight to stdout, and the harness counts
 * instead of keeping histories (scenario.keepHistory false).
 */
import { print } from './console.js';
// First: its hook must be in place when the harness loads main.ts (the module-load heap marks).
import { heapMarks, markHeap } from './heap-marks.js';
import { asciiBytes, asciiText } from '../../../drivers/bytes.js';
import { host } from '../test-host/host.js';
import '../test-host/harness.js';
import { heapFigures, type HeapFigures } from 'axon-heap';
import { nativeFlash } from 'axon-flash';
import { SIM_SETTINGS } from 'sim-settings';

type Reply = Record<string, unknown> & { error?: string; stack?: string };
const g = globalThis as unknown as { handleCommand: (bytes: ArrayBuffer) => ArrayBuffer; issueCommand: (bytes: ArrayBuffer) => void };

let answer: ((reply: Reply) => void) | undefined;
g.issueCommand = (bytes) => {
  answer?.(JSON.parse(asciiText(new Uint8Array(bytes))) as Reply);
};

function command(text: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    answer = (reply) => (reply.error === undefined ? resolve(reply) : reject(new Error(`${reply.error}\n${reply.stack ?? ''}`)));
    g.handleCommand(asciiBytes(text).buffer as ArrayBuffer);
  });
}

/** Long output in pieces: one print() line each, between markers tools/esp32-sim.ts looks for. */
function emit(tag: string, value: unknown): void {
  const text = JSON.stringify(value);
  print(`AXON-${tag}-BEGIN\n`);
  for (let i = 0; i < text.length; i += 2000) print(`${text.slice(i, i + 2000)}\n`);
  print(`AXON-${tag}-END\n`);
}

/** Bytes of one XS slot on the ESP32 (32-bit pointers), for ranking samples as tools/esp32-sim.ts counts them. */
const ESP32_SLOT_BYTES = 16;
/** The live heap is sampled (after a full collection) every this much virtual time. */
const SAMPLE_MS = 10_000;

async function run(): Promise<void> {
  // The littlefs files in C and the trace lines on stdout: neither is the firmware's RAM on the device.
  host.files = nativeFlash;
  host.traceOut = (line) => print(`trace: ${line}\n`);
  await command(`setup ${JSON.stringify(SIM_SETTINGS.scenario)}`);
  // Everything loaded and the simulators set up, collected: the firmware's figures are above this.
  const heapBase = markHeap('setup');
  await command('boot');
  let peak = heapFigures();
  let livePeak = markHeap('boot');
  const afterBoot = livePeak;
  let live = livePeak;
  const liveBytes = (f: HeapFigures): number => f.chunkBytes + f.slots * ESP32_SLOT_BYTES;
  const runMs = SIM_SETTINGS.hours * 3_600_000;
  for (let t = 0; t < runMs; t += SAMPLE_MS) {
    // With the firmware's live heap on the ESP32 (above the pre-boot baseline), to show whether it grows.
    if (t % 3_600_000 === 0) print(`axon-sim: ${(t / 3_600_000).toFixed(0)} h, live heap ${liveBytes(live) - liveBytes(heapBase)} bytes\n`);
    await command(`advance ${Math.min(SAMPLE_MS, runMs - t)}`);
    // Peaks with garbage (what XS had allocated before it needed to collect), then what is live.
    const now = heapFigures();
    peak = { ...now, chunkPeakBytes: Math.max(peak.chunkPeakBytes, now.chunkPeakBytes), slotPeak: Math.max(peak.slotPeak, now.slotPeak), stackPeakSlots: Math.max(peak.stackPeakSlots, now.stackPeakSlots) };
    live = markHeap('sample');
    if (liveBytes(live) > liveBytes(livePeak)) livePeak = live;
  }
  emit('REPORT', { summary: await command('summary'), heap: peak, livePeak, heapBase, afterBoot, marks: heapMarks });
}

export default function main(): void {
  run().then(
    () => print('AXON-DONE\n'),
    (error: unknown) => print(`AXON-FAILED ${(error as Error).message}\n`),
  );
}
