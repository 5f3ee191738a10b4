/**
 * Runs a Moddable lin build headless: `xvfb-run -a mcsim <mc.so>`, and collects
 * what it prints on stdout (sim/stdout.c), or a debug build's trace() output
 * through a debugger listener (xsbug-listener.ts) on a free port, until the
 * app prints `AXON-DONE` or `AXON-FAILED`, mcsim exits, or the time limit
 * passes. mcsim and Xvfb are stopped by process
 * group afterwards (they run until closed).
 */
import { spawn } from 'node:child_process';
import type { ModdableSdk } from './moddable-sdk.js';
import { listenForXsbug } from './xsbug-listener.js';

export interface McsimRun {
  /** Everything the app printed, in order. */
  output: string;
  /** Blocks between AXON-<tag>-BEGIN and -END lines, parsed as JSON. */
  blocks: Record<string, unknown>;
  outcome: 'done' | 'failed' | 'exited' | 'timeout';
  failure?: string;
}

export async function runMcsim(sdk: ModdableSdk, app: string, options: { timeoutMs: number; onLine?: (line: string) => void }): Promise<McsimRun> {
  let output = '';
  let lineStart = 0;
  let inBlock = false;
  let finish: (outcome: McsimRun['outcome']) => void = () => undefined;
  const finished = new Promise<McsimRun['outcome']>((resolve) => (finish = resolve));
  const consume = (text: string): void => {
    output += text;
    let newline: number;
    while ((newline = output.indexOf('\n', lineStart)) >= 0) {
      const line = output.slice(lineStart, newline);
      lineStart = newline + 1;
      if (line === 'AXON-DONE') finish('done');
      else if (line.startsWith('AXON-FAILED') || line.startsWith('XS abort')) finish('failed');
      else if (/^AXON-[A-Z]+-BEGIN$/.test(line)) inBlock = true;
      else if (/^AXON-[A-Z]+-END$/.test(line)) inBlock = false;
      else if (!inBlock) options.onLine?.(line);
    }
  };
  // A debug build's trace() comes through the debugger connection; the release apps print to stdout (sim/stdout.c).
  const listener = await listenForXsbug(consume);
  const child = spawn('xvfb-run', ['-a', 'mcsim', app], { env: { ...sdk.env, XSBUG_HOST: '127.0.0.1', XSBUG_PORT: String(listener.port) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let childOutput = '';
  child.stdout.on('data', (d: Buffer) => consume(d.toString()));
  child.stderr.on('data', (d: Buffer) => (childOutput += d.toString()));
  child.on('exit', () => finish('exited'));
  child.on('error', (error) => {
    childOutput += String(error);
    finish('exited');
  });
  const timer = setTimeout(() => finish('timeout'), options.timeoutMs);
  const outcome = await finished;
  clearTimeout(timer);
  if (child.exitCode === null && child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  listener.close();
  const blocks: Record<string, unknown> = {};
  for (const m of output.matchAll(/AXON-([A-Z]+)-BEGIN\n([\s\S]*?)AXON-\1-END\n/g)) blocks[m[1]] = JSON.parse(m[2].replace(/\n/g, '')) as unknown;
  const failure = outcome === 'done' ? undefined : /AXON-FAILED (.*)|(XS abort.*)/.exec(output)?.slice(1).find((m) => m !== undefined) ?? `mcsim ${outcome}; its output:\n${childOutput.slice(-2000)}\ntrace:\n${output.slice(-2000)}`;
  return { output, blocks, outcome, failure };
}
