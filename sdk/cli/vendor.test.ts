/**
 * The vendor and site commands as a user runs them (the real launcher as a
 * child process): manifest validate / conformance, site validate, codec and
 * decode uplink. The codec is checked against a real Gateway: the table it
 * writes must be the one the gateway persisted, and the generated decoder must
 * decode the gateway's own uplinks exactly as the sdk decoder does.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChannelTable } from '../../drivers/batch/channels.js';
import { toHex } from '../../drivers/bytes.js';
import { MINUTE, Pipeline } from '../../drivers/gateway/test-support.js';
import { NodeKeyValueStore } from '../../firmware/rpi/storage/index.js';
import { decodeUplink } from '../codec/decode-uplink.js';
import { REPO_ROOT, runCli } from './test-kit.js';

const DEVICES = path.join(REPO_ROOT, 'manifests/devices');
const DEMO_SITE = path.join(REPO_ROOT, 'manifests/sites/demo.json');

function tempDir(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-vendor-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function shipped(id: string): Record<string, unknown> & { points: Array<Record<string, unknown>> } {
  return JSON.parse(readFileSync(path.join(DEVICES, `${id}.json`), 'utf8')) as Record<string, unknown> & { points: Array<Record<string, unknown>> };
}

function writeJson(file: string, value: unknown): string {
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

test('manifest validate: every shipped manifest is ok (exit 0), one line each', async (t) => {
  const r = await runCli(['manifest', 'validate', DEVICES]);
  t.is(r.code, 0, r.stderr);
  const ok = r.stdout.split('\n').filter((line) => line.startsWith('ok '));
  t.is(ok.length, 8, r.stdout);
  t.regex(r.stdout, /ok +water-level-rs485: RS-485 water level transmitter \(generic\), modbus, 9600 8N1, 1 point \(\+6 config\), poll 300 s/);
});

test('manifest validate: a broken manifest is exit 1 with every problem, its JSON path and a fix; the valid ones beside it still pass', async (t) => {
  const dir = tempDir(t);
  const broken = shipped('water-level-rs485');
  broken.points[4].type = 'int17';
  broken.line = { baud: 9600, parity: 'none', dataBits: 8, stopBits: 1 };
  delete broken.pollPeriodS;
  writeJson(path.join(dir, 'water-level-rs485.json'), broken);
  writeJson(path.join(dir, 'hydrant-pressure.json'), shipped('hydrant-pressure'));
  // A valid manifest under the wrong file name: ids must stay unique across a directory.
  writeJson(path.join(dir, 'my-meter.json'), shipped('energy-meter-sdm'));
  const r = await runCli(['manifest', 'validate', dir]);
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stdout, /ok +hydrant-pressure:/);
  t.regex(r.stdout, /FAIL .*3 problems/);
  t.regex(r.stdout, /water-level-rs485\.json \$\.points\[4\]\.type: .*int17.*Fix: /);
  t.regex(r.stdout, /water-level-rs485\.json \$\.pollPeriodS: required field "pollPeriodS" is missing\. Fix: add "pollPeriodS"/);
  t.regex(r.stdout, /my-meter\.json \$\.id: id 'energy-meter-sdm' differs from the file name 'my-meter\.json'\. Fix: rename the file to energy-meter-sdm\.json/);

  const json = await runCli(['manifest', 'validate', path.join(dir, 'water-level-rs485.json'), '--json']);
  t.is(json.code, 1);
  const [report] = JSON.parse(json.stdout) as Array<{ ok: boolean; problems: Array<{ path: string; fix: string }> }>;
  t.false(report.ok);
  t.true(report.problems.some((p) => p.path === '$.points[4].type' && p.fix.length > 0));
});

test('manifest validate: invalid JSON is located by line and column; a missing file says so', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'draft.json');
  writeFileSync(file, '{\n  "id": "draft",\n  "name": "x",,\n}\n');
  const r = await runCli(['manifest', 'validate', file, path.join(dir, 'missing.json')]);
  t.is(r.code, 1);
  t.regex(r.stdout, /draft\.json:3:\d+: invalid JSON/);
  t.regex(r.stdout, /missing\.json \$: cannot read the file/);
  const usage = await runCli(['manifest', 'validate']);
  t.is(usage.code, 2, 'no file at all is a usage error');
});

test('manifest conformance: shipped manifests conform (exit 0) and every point is shown', async (t) => {
  const r = await runCli(['manifest', 'conformance', path.join(DEVICES, 'energy-meter-sdm.json'), path.join(DEVICES, 'cjt188-water-meter.json')], 30_000);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /^ok +energy-meter-sdm: 5 points × 6 polls \(minutes 0, 30, 75, 120, 200, 400\), 30\/30 agree/m);
  for (const point of ['voltage', 'current', 'active_power', 'frequency', 'total_active_energy']) t.regex(r.stdout, new RegExp(`\\b${point} +min 400 +sim [-\\d.]+ +read [-\\d.]+ +ok`));
  t.regex(r.stdout, /^ok +cjt188-water-meter:/m);
});

test('manifest conformance: a draft whose word order disagrees with the real device fails (exit 1) and names the points', async (t) => {
  const dir = tempDir(t);
  const draft = shipped('energy-meter-sdm');
  for (const point of draft.points) if (point.type === 'float32') point.order = 'CDAB';
  const file = writeJson(path.join(dir, 'energy-meter-sdm.json'), draft);
  const r = await runCli(['manifest', 'conformance', file, '--device', path.join(DEVICES, 'energy-meter-sdm.json'), '--minutes', '0,75'], 30_000);
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stdout, /^FAIL +energy-meter-sdm: 5 points × 2 polls/m);
  t.regex(r.stdout, /voltage +min 0 +sim [\d.]+ +read [-\d.e+]+, simulator has [\d.]+/);

  const json = await runCli(['manifest', 'conformance', file, '--device', path.join(DEVICES, 'energy-meter-sdm.json'), '--minutes', '0', '--json'], 30_000);
  const [report] = JSON.parse(json.stdout) as Array<{ ok: boolean; checks: Array<{ point: string; ok: boolean }> }>;
  t.false(report.ok);
  t.true(report.checks.filter((c) => !c.ok).length >= 4, 'the float points disagree');
});

test('site validate: the demo site is summarised (exit 0); a site naming an unknown manifest is exit 1 with the path', async (t) => {
  const r = await runCli(['site', 'validate', '--site', DEMO_SITE]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^ok  site xuhui-underpass-demo .*2 buses, 13 devices, uplink lorawan/m);
  t.regex(r.stdout, /underpass-longhua \(water-level-rs485 @ 1\)/);
  t.regex(r.stdout, /channels: 32 in the uplink channel table/);

  const dir = tempDir(t);
  const site = JSON.parse(readFileSync(DEMO_SITE, 'utf8')) as { buses: Array<{ devices: Array<{ manifest: string }> }> };
  site.buses[0].devices[2].manifest = 'water-levle-rs485';
  const bad = await runCli(['site', 'validate', '--site', writeJson(path.join(dir, 'site.json'), site)]);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /\$\.buses\[0\]\.devices\[2\]\.manifest: .*water-levle-rs485.*Fix: .*water-level-rs485/);
});

test('site validate --manifests: a vendor device outside manifests/devices is found', async (t) => {
  const dir = tempDir(t);
  const vendorDir = path.join(dir, 'vendor');
  mkdirSync(vendorDir);
  const own = { ...shipped('temperature-humidity-rs485'), id: 'acme-th-100', vendor: 'ACME', name: 'ACME TH-100' };
  writeJson(path.join(vendorDir, 'acme-th-100.json'), own);
  const site = JSON.parse(readFileSync(DEMO_SITE, 'utf8')) as { buses: Array<{ devices: Array<{ manifest: string }> }> };
  site.buses[0].devices[5].manifest = 'acme-th-100';
  const file = writeJson(path.join(dir, 'site.json'), site);
  t.is((await runCli(['site', 'validate', '--site', file])).code, 1, 'unknown without --manifests');
  const r = await runCli(['site', 'validate', '--site', file, '--manifests', vendorDir]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /pump-room-climate \(acme-th-100 @ 6\)/);
});

type Codec = (input: { bytes: number[]; fPort: number }) => { data?: { type: string; readings?: Array<{ device: string; point: string; value: number | boolean; time: string }> }; errors?: string[] };

test('codec: the table is the one a real gateway persisted (--state), and the codec decodes that gateway\'s uplinks as the sdk does', async (t) => {
  const dir = tempDir(t);
  // A gateway on the whole demo site whose meta store is a Raspberry Pi data directory.
  const p = new Pipeline({ gateway: { meta: new NodeKeyValueStore(path.join(dir, 'kv')) } });
  p.gateway.start();
  await p.until(20 * MINUTE);
  p.gateway.flush();
  await p.until(21 * MINUTE);
  await p.close();
  const sent = p.uplink.received;
  t.true(sent.some((m) => m.decoded?.type === 'batch'), 'the gateway sent batches');

  const codecFile = path.join(dir, 'codec.js');
  const tableFile = path.join(dir, 'channels.json');
  const fresh = await runCli(['codec', '--site', DEMO_SITE, '--out', codecFile, '--channels-out', tableFile]);
  t.is(fresh.code, 0, fresh.stderr);
  t.regex(fresh.stderr, /codec for site xuhui-underpass-demo: 32 channels, \d+ alert rules, \d+ bytes of ES5\.1/);
  const table = JSON.parse(readFileSync(tableFile, 'utf8')) as ChannelTable;
  t.deepEqual(table, p.gateway.channelTable, 'a fresh table numbers channels and rules as the gateway does');
  const fromState = await runCli(['codec', '--site', DEMO_SITE, '--state', dir, '--channels-out', path.join(dir, 'from-state.json')]);
  t.is(fromState.code, 0, fromState.stderr);
  t.deepEqual(JSON.parse(readFileSync(path.join(dir, 'from-state.json'), 'utf8')), p.gateway.channelTable, '--state reads the table the gateway persisted');
  t.regex(fromState.stdout, /^\/\/ Axon batch-format v1 uplink codec for xuhui-underpass-demo/, 'without --out the codec goes to stdout');

  const decode = new Function(`${readFileSync(codecFile, 'utf8')}\nreturn decodeUplink;`)() as Codec;
  let readings = 0;
  for (const message of sent) {
    const want = decodeUplink(message.payload, table);
    const got = decode({ bytes: [...message.payload], fPort: message.port });
    t.is(got.errors, undefined, toHex(message.payload));
    t.is(got.data?.type, want.type);
    if (want.type === 'batch') {
      const mine = (got.data?.readings ?? []).map((r) => `${r.device}.${r.point}@${Date.parse(r.time)}=${String(r.value)}`).sort();
      t.deepEqual(mine, want.readings.map((r) => `${r.device}.${r.point}@${r.t}=${String(r.value)}`).sort());
      readings += mine.length;
    }
  }
  t.true(readings > 100, `${readings} readings decoded identically`);
});

test('codec --previous: a device removed from the site keeps its numbers reserved; the others keep theirs', async (t) => {
  const dir = tempDir(t);
  const before = path.join(dir, 'before.json');
  t.is((await runCli(['codec', '--site', DEMO_SITE, '--out', path.join(dir, 'a.js'), '--channels-out', before])).code, 0);
  const site = JSON.parse(readFileSync(DEMO_SITE, 'utf8')) as { buses: Array<{ devices: Array<{ id: string }> }>; rules?: Array<{ device: string }> };
  site.buses[0].devices = site.buses[0].devices.filter((d) => d.id !== 'pump-room-climate');
  site.rules = (site.rules ?? []).filter((r) => r.device !== 'pump-room-climate');
  const siteFile = writeJson(path.join(dir, 'site.json'), site);
  const after = path.join(dir, 'after.json');
  const r = await runCli(['codec', '--site', siteFile, '--previous', before, '--out', path.join(dir, 'b.js'), '--channels-out', after]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /31 channels \(\+1 retired\)|30 channels \(\+2 retired\)/);
  const old = JSON.parse(readFileSync(before, 'utf8')) as ChannelTable;
  const now = JSON.parse(readFileSync(after, 'utf8')) as ChannelTable;
  t.is(now.channels.length, old.channels.length);
  for (const [i, c] of now.channels.entries()) {
    t.is(c.index, old.channels[i].index);
    t.is(c.device, old.channels[i].device);
    t.is(c.retired === true, c.device === 'pump-room-climate', `${c.device}.${c.point}`);
  }
  const wrong = await runCli(['codec', '--site', siteFile, '--previous', siteFile]);
  t.is(wrong.code, 1);
  t.regex(wrong.stderr, /not a channel table .*Fix: /);
  const both = await runCli(['codec', '--site', siteFile, '--previous', before, '--state', dir]);
  t.is(both.code, 2);
  const noState = await runCli(['codec', '--site', siteFile, '--state', path.join(dir, 'nowhere')]);
  t.is(noState.code, 1);
  t.regex(noState.stderr, /no gateway state here/);
});

test('decode uplink: a gateway payload decodes with the site\'s table; garbage is a clear error', async (t) => {
  const p = new Pipeline({ devices: ['smoke-pump-room'], sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 2, durationMinutes: 5 } } } } });
  p.gateway.start();
  await p.until(4 * MINUTE);
  await p.close();
  const alert = p.uplink.received.find((m) => m.decoded?.type === 'alert');
  if (alert === undefined) return t.fail('no alert was sent');
  // The subset site numbers its own channels; decode with the same subset as a site file.
  const dir = tempDir(t);
  const siteFile = writeJson(path.join(dir, 'site.json'), p.site);
  const r = await runCli(['decode', 'uplink', toHex(alert.payload), '--site', siteFile]);
  t.is(r.code, 0, r.stderr);
  const decoded = JSON.parse(r.stdout) as { type: string; alert: { rule: string; level: string; state: string; time: string } };
  const want = decodeUplink(alert.payload, p.gateway.channelTable);
  if (want.type !== 'alert') return t.fail();
  t.is(decoded.type, 'alert');
  t.is(decoded.alert.rule, want.alert.rule);
  t.is(decoded.alert.state, want.alert.state);
  t.is(Date.parse(decoded.alert.time), want.alert.t);
  const bad = await runCli(['decode', 'uplink', 'ff00', '--site', siteFile]);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /axon: .*Fix: /);
});

test('decode uplink: an alert group the gateway sent prints every alert it carries, critical first, with ISO times', async (t) => {
  // One poll of a fast pressure drop raises warning and critical: they wait together and go as one group (batch-format.md §6.1).
  const p = new Pipeline({ devices: ['hydrant-north'], sim: { models: { 'hydrant-north': { pressure: { model: 'pressure-drop', base: 0.35, low: 0.08, startMinutes: 5, durationMinutes: 20, noise: 0.004 } } } } });
  p.gateway.start();
  await p.until(15 * MINUTE);
  await p.close();
  const group = p.uplink.received.find((m) => m.decoded?.type === 'alerts');
  if (group === undefined) return t.fail('no alert group was sent');
  const dir = tempDir(t);
  const siteFile = writeJson(path.join(dir, 'site.json'), p.site);
  const r = await runCli(['decode', 'uplink', toHex(group.payload), '--site', siteFile]);
  t.is(r.code, 0, r.stderr);
  const decoded = JSON.parse(r.stdout) as { type: string; alerts: Array<{ rule: string; level: string; state: string; time: string; value: number }> };
  const want = decodeUplink(group.payload, p.gateway.channelTable);
  if (want.type !== 'alerts') return t.fail();
  t.is(decoded.type, 'alerts');
  t.deepEqual(decoded.alerts.map((a) => [a.rule, a.level, a.state, Date.parse(a.time), a.value]), want.alerts.map((a) => [a.rule, a.level, a.state, a.t, a.value]));
  t.deepEqual(decoded.alerts.map((a) => a.level), ['critical', 'warning']);
});

test('decode uplink: the docs/cli.md example, a level gauge polled every 2 s, prints three readings of one point at three times', async (t) => {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/cli.md'), 'utf8');
  const example = /\$ npx axon (decode uplink [0-9a-f ]+ --site \S+ --compact)\n(.+)\n/.exec(doc);
  if (example === null) return t.fail('the example is not in docs/cli.md');
  const args = example[1].split(' ');
  const hex = args.slice(2, args.indexOf('--site')).join('');
  const r = await runCli(['decode', 'uplink', hex, ...args.slice(args.indexOf('--site'))]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.trim(), example[2], 'the documented output');
  const readings = (JSON.parse(r.stdout) as { readings: Array<{ time: string; device: string; point: string }> }).readings;
  t.is(new Set(readings.map((x) => `${x.device}.${x.point}`)).size, 1);
  t.is(new Set(readings.map((x) => x.time)).size, 3, 'each reading its own time');
});
