/**
 * GPIO through the character device: GpiodOutput/GpiodInput against a chip
 * double that records every request and level change (what the kernel would
 * see), and GpiodToolsAccess spawning stand-ins for libgpiod's tools that log
 * their arguments (the tools' argument syntax, one process per held level).
 */
import test from 'ava';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GpiodInput, GpiodOutput, type GpioBias, type GpioChipAccess, type GpioLineAddress } from './gpio-chip.js';
import { GpiodToolsAccess } from './gpiod-tools.js';
import { SysfsGpioOutput } from './sysfs-gpio-output.js';
import { demoSubset } from '../../../drivers/gateway/test-support.js';
import { loadHostConfig } from '../host/host-config.js';
import { describeHostOutput, openHostOutput } from '../host/host-outputs.js';

/** A chip that records requests and the physical level of each line over time. */
class RecordingChip implements GpioChipAccess {
  readonly calls: string[] = [];
  /** Physical levels, per line, in order of change (the first entry is the level the request set). */
  readonly levels = new Map<number, Array<0 | 1>>();
  input: ((value: 0 | 1) => void) | undefined;

  requestOutput(line: GpioLineAddress, initial: 0 | 1) {
    const physical = (value: 0 | 1): 0 | 1 => (line.activeLow ? (value === 1 ? 0 : 1) : value);
    this.calls.push(`request-output ${line.chip}:${line.offset} initial=${initial}${line.activeLow ? ' active-low' : ''} consumer=${line.consumer}`);
    this.levels.set(line.offset, [physical(initial)]);
    return {
      set: (value: 0 | 1) => {
        this.calls.push(`set ${line.chip}:${line.offset} ${value}`);
        this.levels.get(line.offset)?.push(physical(value));
      },
      release: () => this.calls.push(`release ${line.chip}:${line.offset}`),
    };
  }

  requestInput(line: GpioLineAddress, bias: GpioBias, onValue: (value: 0 | 1) => void) {
    this.calls.push(`request-input ${line.chip}:${line.offset} bias=${bias}${line.activeLow ? ' active-low' : ''}`);
    onValue(0);
    this.input = onValue;
    return { release: () => this.calls.push(`release ${line.chip}:${line.offset}`) };
  }
}

test('an output is requested at its inactive level in the request itself and never written until it changes', (t) => {
  const chip = new RecordingChip();
  const relay = new GpiodOutput({ access: chip, chip: 'gpiochip0', offset: 17, activeLow: true, name: 'barrier-relay' });
  const light = new GpiodOutput({ access: chip, chip: 'gpiochip0', offset: 27, name: 'warning-light' });
  t.deepEqual(chip.calls, [
    'request-output gpiochip0:17 initial=0 active-low consumer=axon:barrier-relay',
    'request-output gpiochip0:27 initial=0 consumer=axon:warning-light',
  ], 'one request each, with the initial value; no write follows');
  t.deepEqual(chip.levels.get(17), [1], 'the active-low relay board\'s input is high (off) from the first instant');
  t.deepEqual(chip.levels.get(27), [0], 'the light\'s line is low (off) from the first instant');
  relay.write(0);
  t.is(chip.calls.length, 2, 'writing the level it already has changes nothing');
  relay.write(1);
  relay.write(1);
  relay.write(0);
  light.write(1);
  relay.close();
  t.deepEqual(chip.calls.slice(2), ['set gpiochip0:17 1', 'set gpiochip0:17 0', 'set gpiochip0:27 1', 'release gpiochip0:17']);
  t.deepEqual(chip.levels.get(17), [1, 0, 1], 'energised by pulling low, released high');
  t.throws(() => relay.write(1), { code: 'GPIO_CLOSED' });
});

test('a dry-contact input: pull-up, active low, debounced', (t) => {
  const chip = new RecordingChip();
  const timers: Array<{ callback: () => void; ms: number; cleared: boolean }> = [];
  const door = new GpiodInput({
    access: chip, chip: 'gpiochip0', offset: 22, name: 'cabinet-door',
    timers: { set: (callback, ms) => timers.push({ callback, ms, cleared: false }) - 1, clear: (handle) => { timers[handle as number].cleared = true; } },
  });
  let changes = 0;
  door.onReadable = () => changes++;
  t.deepEqual(chip.calls, ['request-input gpiochip0:22 bias=pull-up active-low']);
  t.is(door.read(), 0);
  // The contact closes with bounce: 1, 0, 1 within a few ms; only the last level, once it held for 20 ms, counts.
  chip.input?.(1);
  chip.input?.(0);
  chip.input?.(1);
  t.deepEqual(timers.map((x) => x.cleared), [true, true, false]);
  timers[2].callback();
  t.is(door.read(), 1);
  t.is(changes, 1);
  door.close();
  t.is(chip.calls.at(-1), 'release gpiochip0:22');
});

/** Stand-ins for libgpiod 1.x's tools: each logs its arguments, gpioset holds until signalled. */
function fakeTools(dir: string): string {
  const log = path.join(dir, 'calls.log');
  const tool = (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\n[ "$1" = "--version" ] && { echo "${name} (libgpiod) v1.6.3"; exit 0; }\necho "${name} $*" >> ${log}\n${body}\n`);
    chmodSync(file, 0o755);
  };
  tool('gpioset', 'exec sleep 60');
  tool('gpioget', 'echo 1');
  tool('gpiomon', 'echo 0; echo 1; exec sleep 60');
  return log;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('libgpiod tools: an output is one gpioset holding the initial level; a change ends it and starts the next', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-gpiod-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const log = fakeTools(dir);
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  const errors: string[] = [];
  const access = new GpiodToolsAccess({ toolsDir: dir, onError: (_line, error) => errors.push(error.message) });
  t.is(access.major, 1);
  const relay = new GpiodOutput({ access, chip: 'gpiochip0', offset: 17, activeLow: true, name: 'barrier-relay' });
  await until(() => calls().length >= 1, 'gpioset to start');
  t.deepEqual(calls(), ['gpioset --mode=signal --active-low gpiochip0 17=0'], 'requested at the inactive level, held');
  relay.write(1);
  await until(() => calls().length >= 2, 'the second gpioset');
  t.deepEqual(calls(), ['gpioset --mode=signal --active-low gpiochip0 17=0', 'gpioset --mode=signal --active-low gpiochip0 17=1']);
  relay.close();
  const door = new GpiodInput({ access, chip: 'gpiochip0', offset: 22, debounceMs: 1 });
  t.is(door.read(), 1, 'the level gpioget read at the request');
  await until(() => calls().some((c) => c.startsWith('gpiomon')), 'gpiomon');
  t.true(calls().includes('gpioget --active-low --bias=pull-up gpiochip0 22'));
  t.true(calls().includes('gpiomon --active-low --bias=pull-up --line-buffered --format=%e gpiochip0 22'));
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.is(door.read(), 1, 'edges 0 then 1: back at 1');
  door.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.deepEqual(errors, [], 'no process ended unasked');
});

test('host config: { line } drives an output through the character device, { gpio } through sysfs; both at once is refused', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-gpiod-host-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const site = demoSubset(['underpass-longhua']);
  site.uplink = { kind: 'mqtt', url: 'mqtt://localhost:1883' };
  site.buses[0].port = '/dev/ttyUSB0';
  const outputs = { 'barrier-relay': { line: 17, activeLow: true }, 'warning-light': { line: 4, chip: 'gpiochip4' }, buzzer: { gpio: 534 } };
  writeFileSync(path.join(dir, 'host.json'), JSON.stringify({ outputs, gpioRoot: dir }));
  const config = loadHostConfig(path.join(dir, 'host.json'), site);
  mkdirSync(path.join(dir, 'gpio534'));
  const chip = new RecordingChip();
  const opened = (site.outputs ?? []).map((output) => openHostOutput(output, config, () => chip));
  t.deepEqual(chip.calls, ['request-output gpiochip0:17 initial=0 active-low consumer=axon:barrier-relay', 'request-output gpiochip4:4 initial=0 consumer=axon:warning-light']);
  t.true(opened[2] instanceof SysfsGpioOutput);
  t.is(readFileSync(path.join(dir, 'gpio534', 'direction'), 'utf8'), 'low', 'the sysfs fallback sets direction and inactive level in one write');
  t.deepEqual((site.outputs ?? []).map((o) => describeHostOutput(o, config)), ['on gpiochip0 line 17, active low', 'on gpiochip4 line 4', 'on GPIO 534']);
  writeFileSync(path.join(dir, 'both.json'), JSON.stringify({ outputs: { ...outputs, buzzer: { gpio: 534, line: 18 } } }));
  t.throws(() => loadHostConfig(path.join(dir, 'both.json'), site), { code: 'HOST_CONFIG_INVALID' });
});
