/**
 * Helpers for the CLI tests: run a command in-process through the same
 * dispatcher as the launcher (fast and independent of machine speed: nothing
 * is compiled per call), or the real `axon` launcher as a child process where
 * the process is the point (signals, exit codes, stdout of a long-running
 * simulator), and clean up every child and virtual port afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { BUILD_STAMP, BUILT_FROM } from '../../tools/build-dist.js';
import modbusSerial from 'modbus-serial';
import type { ModbusRTU as ModbusRTUClient } from 'modbus-serial/ModbusRTU.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Newest modification time under `dir`, in ms (0 when it does not exist). */
function newestMtimeMs(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // Tests are not built: editing one does not make dist/ stale.
    if (entry.name === 'node_modules' || entry.name.endsWith('.test.ts')) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * The compiled CLI (dist/, which `npm install` builds) when it is newer than
 * every source it is built from; otherwise the TypeScript launcher, which
 * compiles at every start (seconds on a busy machine) but is never stale.
 */
function chooseLauncher(): string {
  const stamp = path.join(REPO_ROOT, 'dist', BUILD_STAMP);
  if (existsSync(stamp)) {
    const built = statSync(stamp).mtimeMs;
    if (BUILT_FROM.every((dir) => newestMtimeMs(path.join(REPO_ROOT, dir)) <= built)) return path.join(REPO_ROOT, 'dist/sdk/cli/bin/axon.js');
  }
  return path.join(REPO_ROOT, 'sdk/cli/bin/axon.js');
}
/** Exported so a failing CLI test can say which program it ran. */
export const LAUNCHER = chooseLauncher();

// modbus-serial is CommonJS (`module.exports = ModbusRTU`); its typings declare an
// ES default export that NodeNext does not see as the class, hence the cast.
export const ModbusRTU = modbusSerial as unknown as typeof ModbusRTUClient;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Wall-clock limits in these helpers are hang guards, not speed tests: a busy
 * 2-core machine compiles TypeScript at every launch and can take minutes where
 * an idle one takes seconds. A caller's shorter limit is raised to this floor.
 */
export const HANG_GUARD_MS = 300_000;

const guard = (timeoutMs: number) => Math.max(timeoutMs, HANG_GUARD_MS);

/**
 * Run `axon …args` in this process through main.ts, with stdout and stderr
 * captured: what the launcher does, minus the process. Use it unless the test is
 * about the process itself.
 */
export async function runInProcess(args: readonly string[]): Promise<CliResult> {
  const { main } = await import('./main.js');
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (text) => (stdout += text + '\n'), err: (text) => (stderr += text + '\n'), errIsTty: false });
  return { code, signal: null, stdout, stderr };
}

/** Run `axon …args` to completion; kill it (and fail) after `timeoutMs` (at least HANG_GUARD_MS). */
export function runCli(args: readonly string[], timeoutMs = HANG_GUARD_MS): Promise<CliResult> {
  timeoutMs = guard(timeoutMs);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AXON_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`axon ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A long-running `axon` (a simulator): read its output as it comes, stop it with a signal. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: Array<() => void> = [];

  /** `launcher`: the program and its leading arguments instead of this clone's `axon` (an installed package's, say). */
  constructor(args: readonly string[], options: { launcher?: readonly string[]; cwd?: string } = {}) {
    const [program, ...leading] = options.launcher ?? [process.execPath, LAUNCHER];
    this.child = spawn(program, [...leading, ...args], { cwd: options.cwd ?? REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      this.stdout += text;
      this.#notify();
    });
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.stderr += text;
      this.#notify();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => {
      this.#notify();
      resolve({ code, signal });
    }));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolve with the first match of `pattern` on stdout (or stderr); reject if the process exits first or after `timeoutMs` (at least HANG_GUARD_MS). */
  waitFor(pattern: RegExp, timeoutMs = HANG_GUARD_MS, stream: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpExecArray> {
    timeoutMs = guard(timeoutMs);
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(this[stream]);
        if (match !== null) return finish(() => resolve(match));
        if (!this.running) return finish(() => reject(new Error(`axon exited before printing ${pattern}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== check);
        settle();
      };
      this.#waiters.push(check);
      check();
    });
  }

  /**
   * SIGINT (the simulator closes its ports and socat), then SIGKILL if it hangs.
   * A SIGKILL would orphan socat, so the grace period is generous.
   */
  async stop(graceMs = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) {
      this.child.kill('SIGINT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      const result = await this.exited;
      clearTimeout(timer);
      return result;
    }
    return this.exited;
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** Start `axon …args` in the background and stop it when the test ends. */
export function startCli(t: ExecutionContext, args: readonly string[]): CliProcess {
  const cli = new CliProcess(args);
  t.teardown(async () => {
    await cli.stop();
  });
  return cli;
}

let linkCounter = 0;
/** A path for a virtual serial port link that nobody uses. */
export function freshLink(): string {
  return path.join(os.tmpdir(), `axon-cli-test-${process.pid}-${Date.now().toString(36)}-${linkCounter++}`);
}

export const WATER_LEVEL = 'manifests/devices/water-level-rs485.json';
export const DLT645_METER = 'manifests/devices/dlt645-meter.json';
