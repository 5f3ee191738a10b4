import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SitePlan } from '../../../drivers/scheduler/bus-time.js';
import { parseCommandLine } from '../args.js';
import type { CommandIo } from '../command.js';
import { plan } from './plan.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const demo = path.join(root, 'manifests/sites/demo.json');

async function runPlan(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIo = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), errIsTty: false };
  const code = await plan.run(parseCommandLine(argv, plan.flags, 'plan'), io);
  return { code, out, err };
}

test('axon plan --json: every request, cycle, utilisation and verdict per bus', async (t) => {
  const { code, out, err } = await runPlan(['--site', demo, '--json']);
  t.is(code, 0);
  t.regex(err, /warning: .*dlt645-meter' leaves the factory at 2400 8E1/);
  const result = JSON.parse(out) as SitePlan;
  t.is(result.site, 'xuhui-underpass-demo');
  t.is(result.verdict, 'ok');
  const bus = result.buses[0];
  t.is(bus.bus, 'rs485-1');
  t.true(bus.cycleMs > 500 && bus.cycleMs < 1000);
  t.is(bus.verdict, 'ok');
  const first = bus.requests[0];
  t.deepEqual([first.bus, first.device, first.fc, first.address, first.count], ['rs485-1', 'underpass-longhua', 3, 4, 1]);
  t.true(Math.abs(first.wireMs - (22.917 + 10)) < 0.01, 'T(1) plus the bus turnaround of 10 ms');
});

test('axon plan prints a table and the verdict', async (t) => {
  const { code, out } = await runPlan(['--site', demo]);
  t.is(code, 0);
  t.regex(out, /^site xuhui-underpass-demo: 2 buses, verdict ok/);
  t.regex(out, /bus rs485-1 {2}port sim:demo-bus-1 {2}9600 8N1 \(10 bits\/char\)/);
  t.regex(out, /pump-feeder +11 +FC04 +0 +14 +8\+33 +voltage,current,active_power +60\.00/);
  t.regex(out, /site-meter +000000000161 +DI 00010000/);
  t.regex(out, /verdict OK: cycle \d+\.\d ms is \d+\.\d+% of the shortest poll period \(10 s, 'smoke-pump-room'\): fits/);
});

test('axon plan exits 1 on a schedule that cannot fit, saying what to change', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-plan-'));
  try {
    const site = JSON.parse(readFileSync(demo, 'utf8'));
    for (const device of site.buses[0].devices) device.pollPeriodS = 1;
    for (const device of site.buses[0].devices) delete device.adaptive;
    site.buses[0].baud = 2400;
    const file = path.join(dir, 'tight.json');
    writeFileSync(file, JSON.stringify(site));
    const { code, out } = await runPlan(['--site', file]);
    t.is(code, 1);
    t.regex(out, /verdict REJECT: .*cannot fit the baud rate\. To fix: raise the bus \(and every device on it\) to \d+ baud; or lengthen the poll period/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an invalid site file is reported with file, JSON path and fix', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-plan-'));
  try {
    const site = JSON.parse(readFileSync(demo, 'utf8'));
    site.rules[0].point = 'levle';
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(site));
    await t.throwsAsync(runPlan(['--site', file]), { message: /bad\.json \$\.rules\[0\]\.point: device 'underpass-longhua' .* has no point 'levle'.*Fix: use one of its points \(did you mean 'level'\?\)/ });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('node sdk/cli/bin/axon.js plan --site manifests/sites/demo.json --json', async (t) => {
  const { stdout } = await promisify(execFile)(process.execPath, ['sdk/cli/bin/axon.js', 'plan', '--site', 'manifests/sites/demo.json', '--json'], { cwd: root });
  const result = JSON.parse(stdout) as SitePlan;
  t.is(result.verdict, 'ok');
  t.is(result.buses.length, 2);
});
