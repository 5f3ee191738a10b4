import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSource } from '../../test/purity/check-runtime-neutral.js';

const here = path.dirname(fileURLToPath(import.meta.url));

test('the simulated LoRa channel stays runtime-neutral (it runs in XS fleets)', (t) => {
  const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  t.true(files.length >= 3, `found ${files.join(', ')}`);
  const violations = files.flatMap((file) => checkSource(`simulators/radio/${file}`, readFileSync(path.join(here, file), 'utf8')));
  t.deepEqual(violations, [], violations.map((v) => `${v.file}:${v.line}: ${v.reason}\n    ${v.text}`).join('\n'));
});
