import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSource } from '../../test/purity/check-runtime-neutral.js';

const here = path.dirname(fileURLToPath(import.meta.url));

test('the simulated RUI3 module stays runtime-neutral (the core tests run it inside XS)', (t) => {
  const violations = checkSource('simulators/rui3/module-sim.ts', readFileSync(path.join(here, 'module-sim.ts'), 'utf8'));
  t.deepEqual(violations, [], violations.map((v) => `${v.file}:${v.line}: ${v.reason}\n    ${v.text}`).join('\n'));
});
