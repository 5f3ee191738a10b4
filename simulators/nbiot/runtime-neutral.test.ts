import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSource } from '../../test/purity/check-runtime-neutral.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Everything here except the Node runner runs inside XS too. */
const NODE_ONLY = new Set(['run-modem-sim.ts']);

test('the NB-IoT modem simulator core stays runtime-neutral', (t) => {
  const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !NODE_ONLY.has(f));
  t.true(files.length >= 4, `found ${files.join(', ')}`);
  const violations = files.flatMap((file) => checkSource(`simulators/nbiot/${file}`, readFileSync(path.join(here, file), 'utf8')));
  t.deepEqual(violations, [], violations.map((v) => `${v.file}:${v.line}: ${v.reason}\n    ${v.text}`).join('\n'));
});
