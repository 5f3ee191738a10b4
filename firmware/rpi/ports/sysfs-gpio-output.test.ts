/**
 * SysfsGpioOutput against a directory shaped like /sys/class/gpio (no Pi in
 * CI): the inactive level is set with the direction, in one write, active-low
 * inverts, and a line that never appears is a clear error.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxonError } from '../../../drivers/errors.js';
import { SysfsGpioOutput } from './sysfs-gpio-output.js';

function gpioRoot(t: { teardown(fn: () => void): void }, lines: number[]): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'axon-gpio-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(path.join(root, 'export'), '');
  for (const line of lines) mkdirSync(path.join(root, `gpio${line}`));
  return root;
}

const read = (root: string, line: number, file: string) => readFileSync(path.join(root, `gpio${line}`, file), 'utf8');

test('active high: set up as an output at low, then 1 and 0 reach the value file', (t) => {
  const root = gpioRoot(t, [529]);
  const relay = new SysfsGpioOutput({ gpio: 529, gpioRoot: root });
  t.is(read(root, 529, 'direction'), 'low', 'direction and the off level in one write');
  relay.write(1);
  t.is(read(root, 529, 'value'), '1');
  relay.write(0);
  t.is(read(root, 529, 'value'), '0');
  relay.close();
  t.throws(() => relay.write(1), { code: 'GPIO_CLOSED' } as never);
});

test('active low: off is a high level from the first write, on is 0', (t) => {
  const root = gpioRoot(t, [534]);
  const relay = new SysfsGpioOutput({ gpio: 534, activeLow: true, gpioRoot: root });
  t.is(read(root, 534, 'direction'), 'high');
  relay.write(1);
  t.is(read(root, 534, 'value'), '0');
  relay.write(0);
  t.is(read(root, 534, 'value'), '1');
});

test('a line that is not exported is exported; one that never appears is an error naming the output and the fix', (t) => {
  const root = gpioRoot(t, []);
  const error = t.throws(() => new SysfsGpioOutput({ gpio: 4000, gpioRoot: root, name: 'barrier-relay' }));
  t.is(readFileSync(path.join(root, 'export'), 'utf8'), '4000', 'the line was exported first');
  t.true(error instanceof AxonError);
  t.is((error as AxonError).code, 'GPIO_WRITE');
  t.regex(error?.message ?? '', /cannot make it an output: .*\(at output barrier-relay, GPIO 4000 .*\) Fix: check the GPIO number: on recent Raspberry Pi OS kernels it is the chip base \+ the BCM number/);
});

test('no sysfs GPIO tree at all: the fix is about the kernel or gpioRoot, never the GPIO number', (t) => {
  const missing = path.join(os.tmpdir(), `axon-no-gpio-${process.pid}`);
  const error = t.throws(() => new SysfsGpioOutput({ gpio: 529, gpioRoot: missing, name: 'buzzer' })) as AxonError;
  t.is(error.code, 'GPIO_WRITE');
  t.regex(error.fix ?? '', /gpioRoot in the host config: .* must be the kernel's sysfs GPIO directory/);
  t.notRegex(error.fix ?? '', /GPIO number/);
});
