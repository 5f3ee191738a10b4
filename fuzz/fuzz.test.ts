/**
 * CI's slice of `npm run fuzz`: a fixed seed, 200 inputs per target (2,800 in
 * all), every one must end in a result or a typed error within the time
 * limit. Plus checks that the harness itself reports what it should, so this
 * test cannot pass by finding nothing because it looks at nothing.
 */
import test from 'ava';
import { AxonError } from '../drivers/errors.js';
import { generateInput } from './mutate.js';
import { Random } from './random.js';
import { runFuzz } from './runner.js';
import type { FuzzTarget } from './target.js';
import { allTargets } from './targets/index.js';

const PER_TARGET = 200;
const SEED = 20_260_101;

const targets = await allTargets();

for (const target of targets) {
  test.serial(`fuzz slice: ${target.name} (${PER_TARGET} inputs, seed ${SEED})`, async (t) => {
    const report = await runFuzz([target], { runs: PER_TARGET, seed: SEED });
    t.is(report.targets[target.name].inputs, PER_TARGET);
    t.deepEqual(report.findings.map((f) => `${f.kind}: ${f.message}`), []);
  });
}

test('the same seed gives the same inputs; seeds and mutants are not all the same input', (t) => {
  for (const target of targets) {
    const a = new Random(5);
    const b = new Random(5);
    const inputs = Array.from({ length: 50 }, () => generateInput(target, a));
    t.deepEqual(Array.from({ length: 50 }, () => generateInput(target, b)), inputs);
    t.true(new Set(inputs.map((i) => i.join(','))).size > 25, `${target.name} inputs barely vary`);
    const cap = Math.max(target.maxInputBytes ?? 64 * 1024, ...target.seeds.map((s) => s.bytes.length));
    t.true(inputs.every((i) => i.length <= cap), `${target.name} inputs stay within ${cap} bytes`);
  }
});

test('the harness reports untyped errors, hangs and slow inputs, with the input, and lets typed errors pass', async (t) => {
  const broken: FuzzTarget = {
    name: 'broken',
    description: 'a decoder with every kind of bug, chosen by the first byte',
    seeds: [{ bytes: Uint8Array.of(0, 1, 2) }, { bytes: Uint8Array.of(1, 2) }, { bytes: Uint8Array.of(2) }, { bytes: Uint8Array.of(3) }],
    maxRandomLength: 4,
    async run(input) {
      const kind = (input[0] ?? 0) % 4;
      if (kind === 0) throw new AxonError('FINE', 'a typed rejection');
      if (kind === 1) throw new TypeError(`cannot read properties of undefined (byte ${input.length})`);
      if (kind === 2) {
        const until = process.cpuUsage().user + 30_000;
        while (process.cpuUsage().user < until);
        return;
      }
      throw new Error('VirtualClock.run: nothing left to fire after 5 ms and the awaited work has not finished');
    },
  };
  const report = await runFuzz([broken], { runs: 40, seed: 1, slowMs: 20 });
  const kinds = report.findings.map((f) => f.kind).sort();
  t.deepEqual(kinds, ['error', 'hang', 'slow']);
  const error = report.findings.find((f) => f.kind === 'error');
  t.regex(error?.message ?? '', /^TypeError: cannot read properties of undefined/);
  t.is((error?.input[0] ?? 0) % 4, 1);
  t.true((error?.count ?? 0) > 1, 'the same bug with different inputs is one finding');
});
