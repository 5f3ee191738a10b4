/**
 * `npm run bench -- rpi`: the Raspberry Pi gateway as a Pi runs it. `axon
 * gateway run` (compiled when a build exists, bench/rpi/gateway-entry.ts) in a
 * child process, its buses socat ptys with the project's simulated Modbus
 * devices on the far end (another child process, so their CPU is not
 * counted), its uplink a real Mosquitto. Workload: one FC03 request of 10
 * registers per poll, 115,200 baud (bench/rpi/workload.ts).
 *
 *   rpi.cpu_ms_per_poll_20    1 bus × 20 units, each polled every second
 *   rpi.cpu_ms_per_poll_200   8 buses × 25 units, each every second
 *                             (gateway CPU over the window / polls answered in it)
 *   rpi.polls_lost            the 200/s run: polls that failed or whose beat was skipped
 *   rpi.readings_dropped      the 200/s run: readings the store dropped, from start to the end of the window
 *   rpi.rss_mb_1000_devices   8 buses × 125 units of 10 points, each every 10 s: RSS after 3 minutes
 *
 * Flags after the suite name shorten a run (defaults are the issue's):
 *   --window-s 60  --warmup-s 15  --rss-after-s 180  --flush-every-s 60  --only cpu20,cpu200,rss
 *   --cpu-prof-dir <dir>   also write a V8 CPU profile of each gateway run (node --cpu-prof)
 *   --node-flags "<flags>" run node with these flags instead of the installed unit's
 *                          (GATEWAY_NODE_FLAGS), to measure a V8 flag: --node-flags "--max-semi-space-size=1"
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startMosquitto, type MosquittoBroker } from '../../firmware/rpi/mqtt/test-brokers.js';
import { axonCommand, type AxonCommand } from '../rpi/gateway-entry.js';
import { GatewayUnderTest, type ReportSample } from '../rpi/gateway-under-test.js';
import { pollsPerSecond, writeWorkload, type RpiWorkload, type WorkloadFiles } from '../rpi/workload.js';
import type { Suite, SuiteContext } from './common.js';

const SIMULATORS_CHILD = fileURLToPath(new URL('../rpi/simulators-child.ts', import.meta.url));
const USER = { username: 'rpi-bench', password: 'rpi-bench-pw' };

const WORKLOADS = {
  cpu20: { buses: 1, unitsPerBus: 20, pollPeriodS: 1 },
  cpu200: { buses: 8, unitsPerBus: 25, pollPeriodS: 1 },
  rss: { buses: 8, unitsPerBus: 125, pollPeriodS: 10 },
} as const satisfies Record<string, RpiWorkload>;
type Phase = keyof typeof WORKLOADS;

export interface RpiBenchOptions {
  windowS: number;
  warmupS: number;
  rssAfterS: number;
  flushEveryS: number;
  only: Phase[];
  /** Write a V8 CPU profile of each gateway run into this directory (node --cpu-prof). */
  cpuProfileDir?: string;
  /** Node flags instead of the installed unit's (GATEWAY_NODE_FLAGS); empty: none. */
  nodeFlags?: string[];
}

/** Flags after `rpi` on the command line (`npm run bench -- rpi --window-s 10`). */
export function rpiBenchOptions(argv: readonly string[]): RpiBenchOptions {
  const options: RpiBenchOptions = { windowS: 60, warmupS: 15, rssAfterS: 180, flushEveryS: 60, only: ['cpu20', 'cpu200', 'rss'] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    const seconds = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} ${value}: a whole number of seconds ≥ 1`);
      return n;
    };
    if (flag === '--window-s') options.windowS = seconds();
    else if (flag === '--warmup-s') options.warmupS = seconds();
    else if (flag === '--rss-after-s') options.rssAfterS = seconds();
    else if (flag === '--flush-every-s') options.flushEveryS = seconds();
    else if (flag === '--cpu-prof-dir') options.cpuProfileDir = path.resolve(value);
    else if (flag === '--node-flags') {
      options.nodeFlags = value.split(' ').filter((part) => part !== '');
      const stray = options.nodeFlags.find((part) => !part.startsWith('--'));
      if (stray !== undefined) throw new Error(`--node-flags "${value}": "${stray}" is not a node flag; write each as --name or --name=value`);
    }    else if (flag === '--only') {
      const phases = value.split(',') as Phase[];
      for (const phase of phases) if (!(phase in WORKLOADS)) throw new Error(`--only ${value}: phases are ${Object.keys(WORKLOADS).join(', ')}`);
      options.only = phases;
    } else throw new Error(`unknown flag ${flag} (the rpi suite takes --window-s, --warmup-s, --rss-after-s, --flush-every-s, --only, --cpu-prof-dir, --node-flags)`);
  }
  return options;
}

/** The simulators child, started on the workload's ptys; resolves once every bus answers. */
async function startSimulators(dir: string, files: WorkloadFiles): Promise<{ stop(): Promise<void> }> {
  const input = path.join(dir, 'simulators.json');
  writeFileSync(input, JSON.stringify({ siteFile: files.siteFile, manifestsDir: files.manifestsDir, links: files.links }));
  const child = spawn(process.execPath, ['--import', 'tsx', SIMULATORS_CHILD, input], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') resolve();
    });
    child.once('exit', (code) => reject(new Error(`the simulators exited (${code}) before they were ready`)));
  });
  return {
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

interface PhaseResult {
  first: ReportSample;
  last: ReportSample;
  atRss: ReportSample | undefined;
}

async function runPhase(context: SuiteContext, command: AxonCommand, broker: MosquittoBroker, phase: Phase, options: RpiBenchOptions): Promise<PhaseResult> {
  const workload = WORKLOADS[phase];
  const dir = mkdtempSync(path.join(os.tmpdir(), `axon-rpi-bench-${phase}-`));
  const files = writeWorkload(dir, workload, broker.url, USER, options.flushEveryS * 1000);
  const simulators = await startSimulators(dir, files);
  const gateway = new GatewayUnderTest(command, files, options.cpuProfileDir);
  try {
    context.log(`bench rpi ${phase}: ${workload.buses} × ${workload.unitsPerBus} units, ${pollsPerSecond(workload)} polls/s due, gateway pid ${gateway.pid}`);
    if (phase === 'rss') {
      const atRss = await gateway.reportAt(options.rssAfterS * 1000);
      return { first: gateway.reports[0], last: atRss, atRss };
    }
    const first = await gateway.reportAt(options.warmupS * 1000);
    const last = await gateway.reportAt(first.atMs + options.windowS * 1000);
    const answered = last.polls - last.failed - (first.polls - first.failed);
    if (answered <= 0) throw new Error(`no poll was answered in the window:\n${gateway.tail()}`);
    return { first, last, atRss: undefined };
  } finally {
    await gateway.stop();
    await simulators.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function emitCpu(context: SuiteContext, metric: string, phase: Phase, r: PhaseResult, command: AxonCommand): void {
  const answered = r.last.polls - r.last.failed - (r.first.polls - r.first.failed);
  const windowS = (r.last.atMs - r.first.atMs) / 1000;
  const cpu = r.last.cpuMs - r.first.cpuMs;
  context.emit({
    metric,
    value: Math.round((cpu / answered) * 1000) / 1000,
    unit: 'ms/poll',
    entry: command.compiled ? 'dist (compiled)' : 'tsx (sources)',
    node: process.version,
    node_flags: command.nodeFlags.join(' '),
    window_s: Math.round(windowS * 10) / 10,
    cpu_ms: Math.round(cpu),
    polls_answered: answered,
    polls_per_s: Math.round((answered / windowS) * 10) / 10,
    polls_due_per_s: pollsPerSecond(WORKLOADS[phase]),
    rss_mb: Math.round(r.last.rssMb * 10) / 10,
    alert_events: r.last.alerts - r.first.alerts,
    note: 'gateway process CPU (user + system) over the window / polls answered in it; FC03 × 10 registers per poll over socat ptys',
  });
}

export const rpiSuite: Suite = {
  name: 'rpi',
  async run(context) {
    const options = rpiBenchOptions(process.argv.slice(3));
    const command = axonCommand(context.log, options.nodeFlags);
    context.log(`bench rpi: gateway entry ${command.argv.slice(1).join(' ')}`);
    const broker = await startMosquitto(USER);
    try {
      if (options.only.includes('cpu20')) emitCpu(context, 'rpi.cpu_ms_per_poll_20', 'cpu20', await runPhase(context, command, broker, 'cpu20', options), command);
      if (options.only.includes('cpu200')) {
        const r = await runPhase(context, command, broker, 'cpu200', options);
        emitCpu(context, 'rpi.cpu_ms_per_poll_200', 'cpu200', r, command);
        const windowPolls = r.last.polls - r.first.polls;
        context.emit({
          metric: 'rpi.polls_lost',
          value: r.last.failed - r.first.failed + (r.last.missed - r.first.missed),
          unit: 'polls',
          failed: r.last.failed - r.first.failed,
          missed_beats: r.last.missed - r.first.missed,
          polls_in_window: windowPolls,
          note: `the 200 polls/s run over its window: polls that read nothing plus beats skipped because the bus was late; flush every ${options.flushEveryS} s, default store`,
        });
        context.emit({
          metric: 'rpi.readings_dropped',
          value: r.last.dropped,
          unit: 'readings',
          run_s: Math.round(r.last.atMs / 1000),
          note: `the 200 polls/s run from start to the end of its window: readings the store-and-forward log dropped (flush every ${options.flushEveryS} s, default store)`,
        });
      }
      if (options.only.includes('rss')) {
        const r = await runPhase(context, command, broker, 'rss', options);
        const at = r.atRss as ReportSample;
        context.emit({
          metric: 'rpi.rss_mb_1000_devices',
          value: Math.round(at.rssMb * 10) / 10,
          unit: 'MB',
          after_s: Math.round(at.atMs / 1000),
          entry: command.compiled ? 'dist (compiled)' : 'tsx (sources)',
          node_flags: command.nodeFlags.join(' '),
          polls: at.polls,
          failed: at.failed,
          channels: WORKLOADS.rss.buses * WORKLOADS.rss.unitsPerBus * 10,
          note: '8 buses × 125 units, 10 points each, polled every 10 s: VmRSS of the gateway process',
        });
      }
    } finally {
      await broker.close();
    }
  },
};
