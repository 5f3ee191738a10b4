/**
 * `npm run test:moddable [-- <path-substring>]`: every `*.core.test.ts` inside
 * a Moddable `-p lin` build, run headless by mcsim — the third engine after
 * Node (ava) and xsnap (test/xs). The test files are bundled into one module
 * (one build for all of them: mcconfig and the C compile take about a minute)
 * with the XS test kit in place of ava, built with the same manifest_base
 * (and so the same `"strip": "*"`) as the ESP32 firmware, and run by app.ts.
 * Prints one line per failing test, a per-file summary, and closes with
 * "moddable: N passed, N failed". Needs the Moddable SDK ($MODDABLE, or
 * ../shared/moddable-sdk built into a cache once).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { buildLinApp } from '../../firmware/esp32/tools/lin-app.js';
import { resolveModdable } from '../../firmware/esp32/tools/moddable-sdk.js';
import { runMcsim } from '../../firmware/esp32/tools/run-mcsim.js';
import { findCoreTests, xsTestKit } from '../xs/bundle.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const KIT = path.join(root, 'test/kit/core-test.xs.ts');
const FILE_MARKER = 'axon-core-test-file:';

/** `import "axon-core-test-file:<name>"` before each test file: tells the kit which file the next tests belong to. */
const fileMarkers: Plugin = {
  name: 'axon-core-test-file-markers',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^${FILE_MARKER}`) }, (args) => ({ path: args.path.slice(FILE_MARKER.length), namespace: 'axon-file' }));
    b.onLoad({ filter: /.*/, namespace: 'axon-file' }, (args) => ({
      contents: `import { setCurrentFile } from ${JSON.stringify(KIT)};\nsetCurrentFile(${JSON.stringify(args.path)});\n`,
      resolveDir: root,
      loader: 'ts',
    }));
  },
};

/** One ES module: the prelude, each test file after its marker (ES modules evaluate in import order), then app.ts's main. */
export async function bundleCoreTests(files: string[]): Promise<string> {
  const lines = [`import ${JSON.stringify(path.join(root, 'test/xs/xs-prelude.ts'))};`];
  for (const file of files) lines.push(`import ${JSON.stringify(FILE_MARKER + path.relative(root, file))};`, `import ${JSON.stringify(file)};`);
  lines.push(`export { default } from ${JSON.stringify(path.join(here, 'app.ts'))};`);
  const result = await build({
    stdin: { contents: lines.join('\n'), resolveDir: root, loader: 'ts' },
    bundle: true,
    write: false,
    platform: 'neutral',
    format: 'esm',
    target: 'es2022',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['import', 'default'],
    external: ['timer', 'axon-stdout'],
    plugins: [xsTestKit, fileMarkers],
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

interface Summary {
  passed: number;
  failed: number;
  files: Record<string, { passed: number; total: number }>;
}

const HELP = `Usage: npm run test:moddable [-- <path-substring>]

Runs the core test suite (every *.core.test.ts, or those whose path contains
<path-substring>) inside a Moddable -p lin build, headless (xvfb-run mcsim), and
closes with "moddable: N passed, N failed". Needs the Moddable SDK ($MODDABLE, or
../shared/moddable-sdk, whose host tools are then built once into a cache).
`;

async function cli(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean' } } });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const filter = positionals[0];
  const files = findCoreTests(root).filter((f) => filter === undefined || f.includes(filter));
  if (files.length === 0) {
    console.log(`moddable: no core test files found${filter === undefined ? '' : ` matching '${filter}'`}`);
    return 1;
  }
  const started = Date.now();
  const sdk = resolveModdable();
  const buildDir = path.join(here, 'build');
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(path.join(buildDir, 'core-tests.js'), await bundleCoreTests(files));
  const app = buildLinApp(sdk, here, path.join(buildDir, 'moddable'));
  const built = Date.now();
  const run = await runMcsim(sdk, app, { timeoutMs: 30 * 60_000, onLine: (line) => console.log(line) });
  const summary = run.blocks.SUMMARY as Summary | undefined;
  if (run.outcome !== 'done' || summary === undefined) {
    console.log(`  ✘ [moddable] the test app did not finish: ${run.failure ?? run.outcome}`);
    console.log('moddable: 0 passed, 1 failed');
    return 1;
  }
  for (const [file, counts] of Object.entries(summary.files)) console.log(`  [moddable] ${file}: ${counts.passed}/${counts.total} passed`);
  const missing = files.map((f) => path.relative(root, f)).filter((f) => summary.files[f] === undefined);
  for (const file of missing) console.log(`  ✘ [moddable] ${file}: registered no tests`);
  const failed = summary.failed + missing.length;
  const seconds = (t: number) => ((t - started) / 1000).toFixed(0);
  console.log(`\n${files.length} core test files ran inside a Moddable -p lin build (mcsim; build ${seconds(built)} s, total ${seconds(Date.now())} s)`);
  console.log(`moddable: ${summary.passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`test:moddable: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
