import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSource } from '../../test/purity/check-runtime-neutral.js';

const simulators = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The simulator parts that also run inside XS (the rest of simulators/ is Node-only). */
const NEUTRAL = [
  ...readdirSync(path.join(simulators, 'models')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `models/${f}`),
  'device-sim.ts',
  'modbus/faults.ts',
  'modbus/answer.ts',
  'modbus/rtu-slave.ts',
  'modbus/test-fixture.ts',
];

test('device models, device simulator, fault injector and RTU slave stay runtime-neutral', (t) => {
  t.true(NEUTRAL.length >= 14, `found ${NEUTRAL.length} files`);
  const violations = NEUTRAL.flatMap((file) => checkSource(`simulators/${file}`, readFileSync(path.join(simulators, file), 'utf8')));
  const report = violations.map((v) => `${v.file}:${v.line}: ${v.reason}\n    ${v.text}`).join('\n');
  t.deepEqual(violations, [], report);
});
