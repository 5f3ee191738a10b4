import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSource } from './check-runtime-neutral.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function coreSources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) coreSources(full, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

test('drivers/ imports nothing from a host and touches no host global', (t) => {
  const files = coreSources(path.join(root, 'drivers'));
  t.true(files.length > 5, 'the scan found the core sources');
  const violations = files.flatMap((file) => checkSource(path.relative(root, file), readFileSync(file, 'utf8')));
  const report = violations.map((v) => `${v.file}:${v.line}: ${v.reason}\n    ${v.text}`).join('\n');
  t.deepEqual(violations, [], `drivers/ must stay runtime-neutral:\n${report}`);
});

test('the checker catches host imports and globals', (t) => {
  const bad = [
    "import { readFileSync } from 'node:fs';",
    "import net from 'net';",
    "import { encode } from 'cbor-x';",
    "import { SerialPort } from 'serialport';",
    "import Timer from 'timer';",
    "export { x } from 'embedded:io/serial';",
    'const b = Buffer.from([1]);',
    'setTimeout(() => {}, 10);',
    'console.log("x");',
    'const t = Date.now();',
    'const r = Math.random();',
    'const e = process.env.X;',
  ];
  for (const line of bad) {
    t.true(checkSource('x.ts', line).length > 0, `should flag: ${line}`);
  }
});

test('the checker leaves neutral code alone', (t) => {
  const good = [
    "import { crc16 } from './crc.js';",
    '// setTimeout is not used here; Buffer neither',
    "const message = 'console output is not ours';",
    'clock.schedule(10, fire);',
    'const o = { console: 1, process: 2 };',
    'this.#process();',
    'options.setTimeout;',
  ];
  for (const line of good) {
    t.deepEqual(checkSource('x.ts', line), [], `should accept: ${line}`);
  }
});
