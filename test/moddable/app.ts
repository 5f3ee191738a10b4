/**
 * Runtime inside the Moddable `-p lin` test app (see run-core-tests.ts): the
 * core test files, bundled into one module ahead of this one, have registered
 * their tests with the XS test kit (test/kit/core-test.xs.ts). Moddable calls
 * the default export after loading `main`; it runs every test in order, each
 * with a time limit on a real timer (a test that awaits something nothing
 * resolves would otherwise stop the run), and reports on stdout: a line per
 * failing test and a JSON summary between markers the host reads.
 */
import Timer from 'timer';
import { print } from 'axon-stdout';
import { makeAssertions, registeredTests } from '../kit/core-test.xs.js';

/** Wall-clock limit per test: the slowest property tests take seconds; this only catches a test that never finishes. */
const TEST_LIMIT_MS = 120_000;

interface Outcome {
  ok: boolean;
  why?: string;
  stack?: string;
}

function describeError(error: unknown): Outcome {
  const e = error as { name?: string; message?: string; stack?: string } | undefined;
  return { ok: false, why: `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`, stack: e?.stack ?? '' };
}

function runOne(body: () => unknown): Promise<Outcome> {
  return new Promise((resolve) => {
    const limit = Timer.set(() => resolve({ ok: false, why: `did not finish within ${TEST_LIMIT_MS / 1000} s: it awaits something nothing resolves (a timer on a real clock instead of the clock port?)` }), TEST_LIMIT_MS);
    Promise.resolve()
      .then(body)
      .then(
        () => resolve({ ok: true }),
        (error: unknown) => resolve(describeError(error)),
      )
      .then(() => Timer.clear(limit));
  });
}

/** A value as JSON, in lines of at most 2000 characters between markers run-mcsim.ts reads. */
function emit(tag: string, value: unknown): void {
  const text = JSON.stringify(value);
  print(`AXON-${tag}-BEGIN\n`);
  for (let i = 0; i < text.length; i += 2000) print(`${text.slice(i, i + 2000)}\n`);
  print(`AXON-${tag}-END\n`);
}

async function runAll(): Promise<void> {
  const files: Record<string, { passed: number; total: number }> = {};
  let passed = 0;
  let failed = 0;
  for (const entry of registeredTests()) {
    const logs: string[] = [];
    const t = makeAssertions(logs);
    const outcome = await runOne(() => entry.body(t));
    const file = (files[entry.file] ??= { passed: 0, total: 0 });
    file.total++;
    if (outcome.ok && t.assertionCount > 0) {
      passed++;
      file.passed++;
      continue;
    }
    failed++;
    const lines = [`  ✘ [moddable] ${entry.file} › ${entry.title}`, `      ${outcome.ok ? 'test made no assertions' : outcome.why}`];
    if (outcome.stack) lines.push(...outcome.stack.split('\n').slice(0, 6).map((l) => `      ${l}`));
    for (const log of logs) lines.push(`      log: ${log}`);
    print(`${lines.join('\n')}\n`);
  }
  emit('SUMMARY', { passed, failed, files });
}

export default function main(): void {
  runAll().then(
    () => print('AXON-DONE\n'),
    (error: unknown) => print(`AXON-FAILED ${describeError(error).why}\n`),
  );
}
