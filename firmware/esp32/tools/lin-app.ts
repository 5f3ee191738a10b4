/**
 * Builds a Moddable `-p lin` app (mc.so, which mcsim runs) from a manifest,
 * without launching it. Used by esp32:build (the firmware against the
 * simulators) and test:moddable (the core tests). A release build: the apps
 * report on stdout (sim/stdout.c), not through trace() and a debugger.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ModdableSdk } from './moddable-sdk.js';

/** Runs a tool of the SDK; throws with the tail of its output when it fails. */
export function runTool(sdk: ModdableSdk, command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, env: sdk.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})\n${output.split('\n').slice(-40).join('\n')}`);
  return output;
}

/**
 * `mcconfig -p lin` on `<manifestDir>/manifest.json` into `out`, then the makefile's `build` target, and the
 * path of the mc.so. mcconfig without -m writes the makefile only: its default target would also `pkill mcsim`
 * (every one on the machine) and launch the simulator; `build` only compiles and links.
 */
export function buildLinApp(sdk: ModdableSdk, manifestDir: string, out: string, options: { instrument?: boolean } = {}): string {
  mkdirSync(out, { recursive: true });
  runTool(sdk, 'mcconfig', ['-p', 'lin', '-o', out, 'manifest.json'], manifestDir);
  const name = path.basename(manifestDir);
  const tmpDir = path.join(out, 'tmp/lin/mc/release', name);
  // Release, not debug: a debug engine polls the debugger connection with a system call at every line
  // (xsRun.c, XS_CODE_LINE) and reports every thrown exception to it, which makes these apps run tens of times
  // slower. -O2 rather than the release -O3 only to compile faster (command-line C_FLAGS replace the makefile's).
  const gio = spawnSync('pkg-config', ['--cflags', 'gio-2.0'], { encoding: 'utf8' }).stdout.trim();
  // INSTRUMENT=1 compiles XS with mxInstrument (the stack's peak, among other counters): every object of the
  // build must agree on it, so an instrumented build needs an output directory of its own.
  runTool(sdk, 'make', ['-f', 'makefile', `C_FLAGS=-fPIC -shared -c ${gio} -D_RELEASE=1 -O2`, ...(options.instrument === true ? ['INSTRUMENT=1'] : []), 'build'], tmpDir);
  const app = path.join(out, 'bin/lin/mc/release', name, 'mc.so');
  if (!existsSync(app)) throw new Error(`the -p lin build finished but ${app} is missing`);
  return app;
}
