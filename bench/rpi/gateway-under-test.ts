/**
 * `axon gateway run` as a child process under measurement: every report line
 * it prints (every REPORT_EVERY_S) is parsed and paired with the process's CPU
 * time and RSS read at that moment, so a window from one report to another
 * gives CPU and polls over the same span.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { AxonCommand } from './gateway-entry.js';
import { cpuMs, rssMb } from './process-sample.js';
import type { WorkloadFiles } from './workload.js';

export interface ReportSample {
  /** ms since the gateway was spawned. */
  atMs: number;
  polls: number;
  failed: number;
  missed: number;
  dropped: number;
  /** Alert events (raised, cleared, acknowledged) so far. */
  alerts: number;
  cpuMs: number;
  rssMb: number;
}

const REPORT = /report: (\d+) polls \((\d+) failed(?:, (\d+) missed)?\), \d+ samples, (\d+) alert events.*?, (\d+) readings dropped/;

export type ReportCounts = Pick<ReportSample, 'polls' | 'failed' | 'missed' | 'alerts' | 'dropped'>;

/** The counters of a `report:` line of `axon gateway run` (reportLine in gateway-host.ts), or undefined for any other line. */
export function parseReportLine(line: string): ReportCounts | undefined {
  const match = REPORT.exec(line);
  if (match === null) return undefined;
  return { polls: Number(match[1]), failed: Number(match[2]), missed: Number(match[3] ?? 0), alerts: Number(match[4]), dropped: Number(match[5]) };
}

/**
 * Seconds between report lines. The report is the instrument, not the workload (a Pi prints one every
 * 300 s by default), and one per second was a measurable share of what was measured: a JSON line written
 * to a pipe and a stats snapshot of every device, about 1.5 ms of CPU a second (0.07 ms per poll at 20 polls/s).
 * Windows and the RSS time therefore land on multiples of 5 s.
 */
export const REPORT_EVERY_S = 5;

export class GatewayUnderTest {
  readonly reports: ReportSample[] = [];
  readonly #child: ChildProcess;
  readonly #startedAt = Date.now();
  readonly #tail: string[] = [];
  #exited: Promise<number | null>;
  #waiters: Array<() => void> = [];

  /** `cpuProfileDir`: write a V8 CPU profile of the gateway there (node --cpu-prof) when it stops. */
  constructor(command: AxonCommand, files: WorkloadFiles, cpuProfileDir?: string) {
    const [node, ...args] = command.argv;
    const profile = cpuProfileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir];
    this.#child = spawn(node, [...profile, ...args, 'gateway', 'run', '--site', files.siteFile, '--config', files.configFile, '--data', files.dataDir, '--manifests', files.manifestsDir, '--report-every', String(REPORT_EVERY_S)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = this.#child.pid as number;
    this.#exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
    const keep = (line: string) => {
      this.#tail.push(line);
      if (this.#tail.length > 20) this.#tail.shift();
    };
    createInterface({ input: this.#child.stderr! }).on('line', keep);
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      const counts = parseReportLine(line);
      if (counts === undefined) {
        keep(line);
        return;
      }
      try {
        this.reports.push({ atMs: Date.now() - this.#startedAt, ...counts, cpuMs: cpuMs(pid), rssMb: rssMb(pid) });
      } catch {
        return; // the process is gone; the exit is reported by the waiter
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  get pid(): number {
    return this.#child.pid as number;
  }

  /** The gateway's last lines (stderr and non-report stdout), for an error message. */
  tail(): string {
    return this.#tail.join('\n');
  }

  /** The first report at least `atMs` after the spawn. */
  async reportAt(atMs: number): Promise<ReportSample> {
    for (;;) {
      const found = this.reports.find((r) => r.atMs >= atMs);
      if (found !== undefined) return found;
      const exited = await Promise.race([this.#exited.then(() => true), new Promise<false>((resolve) => this.#waiters.push(() => resolve(false)))]);
      if (exited) throw new Error(`the gateway exited before ${atMs} ms:\n${this.tail()}`);
    }
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null) this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 30_000);
    await this.#exited;
    clearTimeout(timer);
  }
}
