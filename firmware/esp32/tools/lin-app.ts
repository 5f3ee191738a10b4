/**
 * Builds a Moddable `-p lin` debug app (mc.so, which mcsim runs) from a
 * manifest, without launching it. Used by esp32:build (the firmware against the
 * simulators) and test:moddable (the core tests).
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
 * `mcconfig -d -p lin` on `<manifestDir>/manifest.json` into `out`, then the makefile's `build` target, and the
 * path of the mc.so. mcconfig without -m writes the makefile only: its default target would also `pkill mcsim`
 * (every one on the machine) and launch the simulator; `build` only compiles and links.
 */
export function buildLinDebugApp(sdk: ModdableSdk, manifestDir: string, out: string): string {
  mkdirSync(out, { recursive: true });
  runTool(sdk, 'mcconfig', ['-p', 'lin', '-o', out, 'manifest.json'], manifestDir);
  const name = path.basename(manifestDir);
  const tmpDir = path.join(out, 'tmp/lin/mc/release', name);
  // Release bytecode (xsc without -d) with the engine compiled with mxDebug: trace() and exceptions still reach the
  // debugger connection, but there are no line opcodes, at each of which a debug engine polls that connection
  // with a system call (xsRun.c, XS_CODE_LINE), which makes it run about a hundred times slower. -O2 rather than
  // the release -O3 only to compile faster. Command-line C_FLAGS replace the makefile's whole value.
  const gio = spawnSync('pkg-config', ['--cflags', 'gio-2.0'], { encoding: 'utf8' }).stdout.trim();
  runTool(sdk, 'make', ['-f', 'makefile', `C_FLAGS=-fPIC -shared -c ${gio} -D_DEBUG=1 -DmxDebug=1 -O2`, 'build'], tmpDir);
  const app = path.join(out, 'bin/lin/mc/release', name, 'mc.so');
  if (!existsSync(app)) throw new Error(`the -p lin build finished but ${app} is missing`);
  return app;
}
