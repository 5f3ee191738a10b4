/**
 * The ESP32 firmware on Moddable's own engine (a `-p lin` build run by mcsim),
 * against the device and modem simulators: the same harness as the xsnap test
 * (test-host/harness.ts: main.ts and the core with the host modules replaced
 * by doubles on one virtual clock), driven from inside the app instead of by
 * xsnap commands. It runs the scenario for the requested virtual time, samples
 * the XS heap (native heap.c: peaks above the baseline before boot), and prints the
 * harness report with print(), framed so tools/esp32-sim.ts can read it.
 */
import { print } from './console.js';
import '../test-host/harness.js';
import { heapFigures, resetHeapPeaks } from 'axon-heap';
import { SIM_SETTINGS } from 'sim-settings';

type Reply = Record<string, unknown> & { error?: string; stack?: string };
const g = globalThis as unknown as { handleCommand: (bytes: ArrayBuffer) => ArrayBuffer; issueCommand: (bytes: ArrayBuffer) => void };

let answer: ((reply: Reply) => void) | undefined;
g.issueCommand = (bytes) => {
  const view = new Uint8Array(bytes);
  let text = '';
  for (let i = 0; i < view.length; i++) text += String.fromCharCode(view[i]);
  answer?.(JSON.parse(text) as Reply);
};

function command(text: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    answer = (reply) => (reply.error === undefined ? resolve(reply) : reject(new Error(`${reply.error}\n${reply.stack ?? ''}`)));
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    g.handleCommand(bytes.buffer);
  });
}

/** Long output in pieces: one print() line each, between markers tools/esp32-sim.ts looks for. */
function emit(tag: string, value: unknown): void {
  const text = JSON.stringify(value);
  print(`AXON-${tag}-BEGIN\n`);
  for (let i = 0; i < text.length; i += 2000) print(`${text.slice(i, i + 2000)}\n`);
  print(`AXON-${tag}-END\n`);
}

async function run(): Promise<void> {
  const MINUTE = 60_000;
  await command(`setup ${JSON.stringify(SIM_SETTINGS.scenario)}`);
  // The firmware's share: everything loaded and the simulators set up, collected; the peaks from here on are the
  // baseline plus what the firmware allocates (and the simulators' work per exchange, which is counted too).
  resetHeapPeaks();
  const heapBase = heapFigures();
  await command('boot');
  const runMs = SIM_SETTINGS.hours * 60 * MINUTE;
  for (let t = 0; t < runMs; t += MINUTE) {
    await command(`advance ${Math.min(MINUTE, runMs - t)}`);
    if (t % (60 * MINUTE) === 0) print(`axon-sim: ${(t / 3_600_000).toFixed(0)} h\n`);
  }
  // Before the report is built, which is the harness's, not the firmware's.
  const heap = heapFigures();
  emit('REPORT', { report: await command('report'), heap, heapBase });
}

export default function main(): void {
  run().then(
    () => print('AXON-DONE\n'),
    (error: unknown) => print(`AXON-FAILED ${(error as Error).message}\n`),
  );
}
