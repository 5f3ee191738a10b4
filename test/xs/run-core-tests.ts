/**
 * Runs every `*.core.test.ts` inside Moddable's XS engine (via @agoric/xsnap):
 * each file is bundled with esbuild for a neutral platform, the ava-backed test
 * kit is swapped for the XS runner, and each test runs in its own crank.
 *
 *   node --import tsx test/xs/run-core-tests.ts [filter]
 *
 * Prints one line per failing test, a per-file summary, and closes with
 * "xs: N passed, N failed".
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForXs, findCoreTests } from './bundle.js';
import { startXsWorker } from './worker.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const filter = process.argv[2];

interface TestResult {
  index: number;
  ok: boolean;
  assertions?: number;
  error?: string;
  stack?: string;
  logs: string[];
}

const files = findCoreTests(root).filter((f) => !filter || f.includes(filter));
let passed = 0;
let failed = 0;
let compute = 0;
const started = Date.now();

for (const file of files) {
  const relative = path.relative(root, file);
  let code: string;
  try {
    code = await bundleForXs(file, path.join(root, 'test/xs/xs-entry.ts'));
  } catch (error) {
    failed++;
    console.log(`  ✘ [xs] ${relative}: could not be bundled for XS (does it import a host module?)\n      ${(error as Error).message.split('\n').slice(0, 4).join('\n      ')}`);
    continue;
  }
  let last: TestResult | undefined;
  const worker = await startXsWorker(relative, (message) => {
    last = JSON.parse(message) as TestResult;
  });
  try {
    await worker.evaluate(code);
    const titles = JSON.parse(await worker.command('list')) as string[];
    let filePassed = 0;
    for (let index = 0; index < titles.length; index++) {
      last = undefined;
      try {
        const usage = await worker.commandWithMeter(`run ${index}`);
        compute += usage.compute;
      } catch (error) {
        last = { index, ok: false, error: `XS worker stopped: ${(error as Error).message}`, logs: [] };
      }
      const result: TestResult = last ?? {
        index,
        ok: false,
        error: 'test never finished: it awaits a promise nothing resolves (a timer on a real clock instead of the clock port?)',
        logs: [],
      };
      if (result.ok && (result.assertions ?? 0) > 0) {
        passed++;
        filePassed++;
      } else {
        failed++;
        const why = result.ok ? 'test made no assertions' : result.error;
        console.log(`  ✘ [xs] ${relative} › ${titles[index]}\n      ${why}`);
        if (result.stack) console.log(result.stack.split('\n').slice(0, 6).map((l) => '      ' + l).join('\n'));
        for (const log of result.logs) console.log('      log: ' + log);
      }
    }
    console.log(`  [xs] ${relative}: ${filePassed}/${titles.length} passed`);
  } catch (error) {
    failed++;
    console.log(`  ✘ [xs] ${relative}: could not load in XS: ${(error as Error).message}`);
  } finally {
    await worker.close();
  }
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`\n${files.length} core test files ran inside XS (xsnap ${'\u00b7'} ${compute} compute units, ${seconds} s)`);
console.log(`xs: ${passed} passed, ${failed} failed`);
if (files.length === 0) {
  console.log('xs: no core test files found (*.core.test.ts)');
  process.exitCode = 1;
}
if (failed > 0) process.exitCode = 1;
