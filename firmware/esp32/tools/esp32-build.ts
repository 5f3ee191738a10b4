/**
 * `npm run esp32:build`: the ESP32 firmware through the real Moddable toolchain.
 *
 * 1. The site and the bundle (compile-site.ts, bundle-main.ts) into build/.
 * 2. `mcconfig -p esp32` on manifest.json, then the JavaScript half of the
 *    device build: xsc compiles every module, xsl links and preloads them into
 *    mc.xs.c. The C compile and link for the chip need ESP-IDF, which this
 *    stops short of (and says so).
 * 3. The same program for `-p lin`, as mcsim runs it: main.ts and the core with
 *    the host modules replaced by the test doubles (test-host/) and the device
 *    and modem simulators on one virtual clock (sim/), built with `-d` so
 *    trace() reaches a debugger connection (tools/esp32-sim.ts listens).
 *
 * Uses $MODDABLE when set; otherwise builds the SDK beside the repository into
 * a cache once (moddable-sdk.ts).
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { bundleMain, bundleOptions, bundleText } from '../bundle-main.js';
import { compileSite } from '../compile-site.js';
import { hostDoubles } from '../test-host/doubles-plugin.js';
import type { Scenario } from '../test-host/scenario.js';
import { buildLinApp, runTool } from './lin-app.js';
import { resolveModdable, type ModdableSdk } from './moddable-sdk.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIRMWARE_DIR = path.resolve(here, '..');
export const BUILD_DIR = path.join(FIRMWARE_DIR, 'build');
export const DEFAULT_SITE = path.resolve(FIRMWARE_DIR, '../../manifests/sites/demo-esp32.json');
/** The smoke detector in the pump room alarms from minute 2 to minute 4 (as in main-xs.test.ts). */
export const DEFAULT_SCENARIO: Scenario = { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 2, durationMinutes: 2 } } } };

export interface Esp32BuildResult {
  /** xsl's summary line ("### 674 instances, 2518 keys, …"). */
  linkSummary: string;
  /** Bytes of compiled main.xsb and of the linked mc.xs.c. */
  mainXsbBytes: number;
  /** Where mcsim finds the lin build. */
  linApp: string;
}

/** Step 1: build/site-config.js and build/main.js. */
export async function writeFirmwareSources(site = DEFAULT_SITE): Promise<void> {
  mkdirSync(BUILD_DIR, { recursive: true });
  writeFileSync(path.join(BUILD_DIR, 'site-config.js'), compileSite({ site }).source);
  writeFileSync(path.join(BUILD_DIR, 'main.js'), await bundleMain());
}

/** Step 2: mcconfig -p esp32, then xsc and xsl (with preload) through the generated makefile's mc.xs.c target. */
export function buildEsp32Js(sdk: ModdableSdk, platform = 'esp32'): { linkSummary: string; warnings: string[]; mainXsbBytes: number; tmpDir: string } {
  const out = path.join(BUILD_DIR, 'moddable');
  mkdirSync(out, { recursive: true });
  runTool(sdk, 'mcconfig', ['-p', platform, '-o', out, 'manifest.json'], FIRMWARE_DIR);
  const tmpDir = path.join(out, 'tmp', platform.split('/')[0], 'release', path.basename(FIRMWARE_DIR));
  // The makefile insists on ESP-IDF (IDF_PATH, its version, sdkconfig.h) before anything else; mc.xs.c needs none of it.
  const output = runTool(sdk, 'make', ['-f', 'makefile', 'IDF_PATH=/nonexistent', 'IDF_VERSION=none', 'SDKCONFIG_H=', `${tmpDir}/mc.xs.c`], tmpDir);
  const linkSummary = /### .*instances.*/.exec(output)?.[0] ?? '';
  // xsc and xsl warnings (a preloaded module that cannot be, a mutable object in ROM, …) are worth reading.
  const warnings = [...output.matchAll(/^.*### warning.*$/gm)].map((m) => m[0]);
  return { linkSummary, warnings, mainXsbBytes: statSync(path.join(tmpDir, 'modules/main.xsb')).size, tmpDir };
}

/** Step 3: the simulation app for -p lin (debug build: trace() goes to the debugger connection). */
export async function buildLin(sdk: ModdableSdk, options: { hours: number; scenario?: Scenario; site?: string; board?: string }): Promise<string> {
  const linDir = path.join(BUILD_DIR, 'lin');
  mkdirSync(linDir, { recursive: true });
  const siteConfig = path.join(linDir, 'site-config.js');
  writeFileSync(siteConfig, compileSite({ site: options.site ?? DEFAULT_SITE, board: options.board }).source);
  const bundled = await build({
    ...bundleOptions(),
    entryPoints: [path.join(FIRMWARE_DIR, 'sim/sim-main.ts')],
    format: 'esm',
    external: ['axon-heap', 'axon-stdout', 'axon-flash', 'sim-settings'],
    plugins: [hostDoubles(siteConfig)],
  });
  writeFileSync(path.join(linDir, 'sim-main.js'), bundleText(bundled.outputFiles));
  // Counts, not histories: a day's trace lines and pin writes would otherwise fill the heap the run measures.
  const scenario: Scenario = { ...(options.scenario ?? DEFAULT_SCENARIO), keepHistory: false };
  writeFileSync(path.join(linDir, 'sim-settings.js'), `export const SIM_SETTINGS = Object.freeze(${JSON.stringify({ hours: options.hours, scenario })});\n`);
  // Its own output directory: its objects are compiled with other flags than a plain `mcconfig -d -p lin`.
  // Instrumented, for the stack's peak (sim/heap.c).
  return buildLinApp(sdk, path.join(FIRMWARE_DIR, 'sim'), path.join(BUILD_DIR, 'moddable-sim-instrumented'), { instrument: true });
}

const HELP = `Usage: npm run esp32:build [-- --site <file>] [--hours <h>]

Builds the ESP32 firmware with the Moddable SDK ($MODDABLE, or ../shared/moddable-sdk
built into a cache once):
  - mcconfig -p esp32: xsc and xsl with preload (the JavaScript half); stops short of
    the ESP-IDF C compile, which needs ESP-IDF (see firmware/esp32/README.md);
  - the same program for -p lin with the host stand-ins and simulators, for
    npm run esp32:sim (--hours: the virtual time that build runs, default 24).
`;

async function cli(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { site: { type: 'string' }, hours: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const sdk = resolveModdable();
  console.log(`esp32:build: Moddable SDK at ${sdk.root} (${sdk.origin})`);
  await writeFirmwareSources(values.site);
  const esp32 = buildEsp32Js(sdk);
  console.log(`esp32:build: -p esp32 xsc + xsl (preload) ok: ${esp32.linkSummary.replace(/^### /, '')}; main.xsb ${esp32.mainXsbBytes} bytes; mc.xs.c in ${path.relative(process.cwd(), esp32.tmpDir)}`);
  // Mostly "no const" / "not frozen": module bindings and objects the preloaded core could change, which XS keeps
  // in flash and copies to RAM on first write. All of them, for a look: build/moddable/xsl-warnings.txt.
  writeFileSync(path.join(BUILD_DIR, 'moddable/xsl-warnings.txt'), esp32.warnings.join('\n') + '\n');
  const kinds = new Map<string, number>();
  for (const w of esp32.warnings) kinds.set(/: ([^:]+)$/.exec(w)?.[1] ?? w, (kinds.get(/: ([^:]+)$/.exec(w)?.[1] ?? w) ?? 0) + 1);
  console.log(`esp32:build: xsl warnings: ${[...kinds].map(([k, n]) => `${n} "${k}"`).join(', ') || 'none'} (build/moddable/xsl-warnings.txt)`);
  console.log('esp32:build: stopping before the ESP-IDF C compile and link (needs ESP-IDF: mcconfig -d -m -p esp32/<board>, see firmware/esp32/README.md)');
  const app = await buildLin(sdk, { hours: Number(values.hours ?? 24), site: values.site });
  console.log(`esp32:build: -p lin simulation build ok: ${path.relative(process.cwd(), app)}`);
  return 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`esp32:build: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
