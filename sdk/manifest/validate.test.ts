import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isModbusPoint } from '../../drivers/devices/manifest.js';
import { findJsonSyntaxError, formatJsonPath, pointerToJsonPath } from './json-path.js';
import { ManifestError, loadDeviceManifest, loadManifestDirectory, validateDeviceManifest } from './validate.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const devicesDir = path.join(root, 'manifests/devices');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test fixtures are edited freely

function shipped(name: string): Json {
  return JSON.parse(readFileSync(path.join(devicesDir, `${name}.json`), 'utf8')) as Json;
}

function problemsOf(json: unknown, file = 'broken/device.json'): ManifestError {
  try {
    validateDeviceManifest(json, file);
  } catch (error) {
    if (error instanceof ManifestError) return error;
    throw error;
  }
  throw new Error('the manifest was accepted');
}

test('every shipped manifest validates, and its id matches its file name', (t) => {
  const manifests = loadManifestDirectory(devicesDir);
  t.is(manifests.length, readdirSync(devicesDir).filter((f) => f.endsWith('.json')).length);
  t.true(manifests.length >= 8);
  for (const manifest of manifests) {
    t.is(manifest.$schema, '../schema/device.schema.json', `${manifest.id} points editors at the schema`);
    t.true(manifest.points.every((p) => p.sim !== undefined), `${manifest.id}: every point has a sim block`);
  }
});

test('the shipped maps follow DESIGN.md', (t) => {
  const level = loadDeviceManifest(path.join(devicesDir, 'water-level-rs485.json'));
  t.deepEqual(level.line, { baud: 9600, parity: 'none', dataBits: 8, stopBits: 1 });
  const byId = new Map(level.points.filter(isModbusPoint).map((p) => [p.id, p]));
  t.is(byId.get('decimals')?.address, 3);
  t.is(byId.get('decimals')?.role, 'config');
  t.is(byId.get('level')?.address, 4);
  t.is(byId.get('level')?.decimalsFrom, 'decimals');
  t.deepEqual(byId.get('level')?.sim, { model: 'storm', dry: 0, peak: 40, startMinutes: 60, riseMinutes: 45, holdMinutes: 90, fallMinutes: 120, noise: 0.3 });
  const sdm = loadDeviceManifest(path.join(devicesDir, 'energy-meter-sdm.json'));
  t.deepEqual(sdm.points.filter(isModbusPoint).filter((p) => p.type === 'float32').map((p) => [p.fc, p.address]), [[4, 0], [4, 6], [4, 12], [4, 70], [4, 0x156]]);
  const meter = loadDeviceManifest(path.join(devicesDir, 'dlt645-meter.json'));
  t.deepEqual(meter.points.map((p) => ('di' in p ? p.di : '')), ['00010000', '02010100', '02020100', '02030000']);
  t.is(meter.line.parity, 'even');
});

interface BrokenCase {
  title: string;
  base: string;
  edit: (m: Json) => void;
  path: string;
  message?: RegExp;
  fix: RegExp;
}

const CASES: BrokenCase[] = [
  { title: 'misspelt value type', base: 'water-level-rs485', edit: (m) => (m.points[4].type = 'flaot32'), path: '$.points[4].type', fix: /use one of bool, int16, .*float32.*did you mean 'float32'\?/ },
  { title: 'missing fc on a modbus point', base: 'water-level-rs485', edit: (m) => delete m.points[4].fc, path: '$.points[4].fc', message: /fc, address and type/, fix: /add "fc"/ },
  { title: 'misspelt field name', base: 'water-level-rs485', edit: (m) => { m.points[4].adress = m.points[4].address; delete m.points[4].address; }, path: '$.points[4].adress', fix: /did you mean 'address'/ },
  { title: 'duplicate point id', base: 'water-level-rs485', edit: (m) => (m.points[5].id = 'level'), path: '$.points[5].id', message: /duplicate point id 'level' .*\$\.points\[4\]/, fix: /own id/ },
  { title: 'decimalsFrom naming a missing point', base: 'water-level-rs485', edit: (m) => (m.points[4].decimalsFrom = 'decimal'), path: '$.points[4].decimalsFrom', fix: /did you mean 'decimals'/ },
  { title: 'decimalsFrom naming a non-config point', base: 'water-level-rs485', edit: (m) => (m.points[3].role = 'measurement'), path: '$.points[4].decimalsFrom', fix: /"role": "config"/ },
  { title: 'float32 running past the last register', base: 'energy-meter-sdm', edit: (m) => (m.points[4].address = 65535), path: '$.points[4].address', fix: /at most 65534/ },
  { title: 'bool on a holding register without a bit', base: 'smoke-heat-detector', edit: (m) => delete m.points[0].bit, path: '$.points[0].bit', fix: /add "bit"/ },
  { title: 'bits field past bit 15', base: 'smoke-heat-detector', edit: (m) => Object.assign(m.points[2], { type: 'bits', bit: 12, bitCount: 8 }), path: '$.points[2].bitCount', fix: /at most 4/ },
  { title: 'bits without bitCount', base: 'smoke-heat-detector', edit: (m) => (m.points[2].type = 'bits'), path: '$.points[2].bitCount', fix: /add "bitCount"/ },
  { title: 'two points overlapping registers', base: 'water-level-rs485', edit: (m) => (m.points[6].address = 5), path: '$.points[6].address', message: /overlaps 'range_zero'/, fix: /only bool\/bits points may share a register/ },
  { title: 'two bool points on the same bit', base: 'smoke-heat-detector', edit: (m) => (m.points[1].bit = 0), path: '$.points[1].bit', fix: /its own bits/ },
  { title: '16-bit order on a float32', base: 'radar-level-gauge', edit: (m) => (m.points[0].order = 'BA'), path: '$.points[0].order', fix: /ABCD .*CDAB/ },
  { title: '32-bit order on an int16', base: 'temperature-humidity-rs485', edit: (m) => (m.points[0].order = 'CDAB'), path: '$.points[0].order', fix: /"AB"/ },
  { title: 'int16 on discrete inputs', base: 'temperature-humidity-rs485', edit: (m) => (m.points[0].fc = 2), path: '$.points[0].type', fix: /"type": "bool"/ },
  { title: 'writable input register', base: 'temperature-humidity-rs485', edit: (m) => (m.points[0].writable = true), path: '$.points[0].writable', fix: /remove "writable"/ },
  { title: 'scale of zero', base: 'temperature-humidity-rs485', edit: (m) => (m.points[1].scale = 0), path: '$.points[1].scale', fix: /use 1 for no scaling/ },
  { title: 'point id not snake_case', base: 'temperature-humidity-rs485', edit: (m) => (m.points[0].id = 'Air Temperature'), path: '$.points[0].id', fix: /snake_case.*'air_temperature'/ },
  { title: '1997-style DI on a 2007 meter', base: 'dlt645-meter', edit: (m) => (m.points[0].di = '9010'), path: '$.points[0].di', message: /8 hex digits/, fix: /dlt645-1997/ },
  { title: '8-digit DI on a CJ/T 188 meter', base: 'cjt188-water-meter', edit: (m) => (m.points[0].di = '00010000'), path: '$.points[0].di', message: /4 hex digits/, fix: /'901F'/ },
  { title: 'non-hex DI', base: 'dlt645-meter', edit: (m) => (m.points[1].di = '0201010G'), path: '$.points[1].di', fix: /hex digits/ },
  { title: 'CJ/T 188 901F without a field', base: 'cjt188-water-meter', edit: (m) => delete m.points[0].field, path: '$.points[0].field', fix: /cumulative_flow/ },
  { title: 'CJ/T 188 901F with an unknown field', base: 'cjt188-water-meter', edit: (m) => { m.points[0].field = 'cumulative_flw'; }, path: '$.points[0].field', fix: /did you mean 'cumulative_flow'/ },
  { title: 'Modbus fields on a meter point', base: 'dlt645-meter', edit: (m) => (m.points[0].fc = 3), path: '$.points[0].fc', fix: /do not apply to dlt645-2007 meters/ },
  { title: 'meter di on a modbus point', base: 'water-level-rs485', edit: (m) => (m.points[4].di = '00010000'), path: '$.points[4].di', fix: /for DL\/T 645 and CJ\/T 188 meters/ },
  { title: 'meter point without di', base: 'dlt645-meter', edit: (m) => delete m.points[2].di, path: '$.points[2].di', fix: /add "di"/ },
  { title: 'meter address of the wrong length', base: 'dlt645-meter', edit: (m) => (m.defaultAddress = '161'), path: '$.defaultAddress', fix: /12 digits/ },
  { title: 'modbus unit id 0', base: 'water-level-rs485', edit: (m) => (m.defaultAddress = 0), path: '$.defaultAddress', fix: /1 to 247/ },
  { title: 'downlink poll period bounds the wrong way round', base: 'smoke-heat-detector', edit: (m) => (m.downlinkPollPeriodS = { min: 60, max: 2 }), path: '$.downlinkPollPeriodS.min', fix: /swap min and max/ },
  { title: 'downlink poll period beyond a day', base: 'smoke-heat-detector', edit: (m) => (m.downlinkPollPeriodS = { max: 100000 }), path: '$.downlinkPollPeriodS.max', fix: /86400/ },
  { title: 'number written as a string', base: 'water-level-rs485', edit: (m) => (m.pollPeriodS = '300'), path: '$.pollPeriodS', fix: /without quotes: 300/ },
  { title: 'function code written as a string', base: 'water-level-rs485', edit: (m) => (m.points[4].fc = '3'), path: '$.points[4].fc', fix: /without quotes: 3/ },
  { title: 'misspelt protocol', base: 'dlt645-meter', edit: (m) => (m.protocol = 'dlt645'), path: '$.protocol', fix: /did you mean 'dlt645-2007'/ },
  { title: 'misspelt parity', base: 'dlt645-meter', edit: (m) => (m.line.parity = 'Even'), path: '$.line.parity', fix: /did you mean 'even'/ },
  { title: 'unknown sim model', base: 'water-level-rs485', edit: (m) => (m.points[4].sim.model = 'storms'), path: '$.points[4].sim.model', fix: /did you mean 'storm'/ },
  { title: 'sim missing a parameter', base: 'water-level-rs485', edit: (m) => delete m.points[4].sim.holdMinutes, path: '$.points[4].sim.holdMinutes', fix: /add "holdMinutes": Minutes the peak is held/ },
  { title: 'sim with a parameter of another model', base: 'hydrant-pressure', edit: (m) => (m.points[2].sim.peak = 1), path: '$.points[2].sim.peak', fix: /remove it|did you mean/ },
  { title: 'alarm sim on a numeric point', base: 'temperature-humidity-rs485', edit: (m) => (m.points[0].sim = { model: 'alarm', startMinutes: 1, durationMinutes: 2 }), path: '$.points[0].sim.model', fix: /bool points/ },
  { title: 'min above max', base: 'temperature-humidity-rs485', edit: (m) => (m.points[0].min = 100), path: '$.points[0].min', fix: /swap/ },
  { title: 'poll period of zero (the fix is a sentence)', base: 'water-level-rs485', edit: (m) => (m.pollPeriodS = 0), path: '$.pollPeriodS', fix: /^use a value above 0\. How often/ },
  { title: 'empty points', base: 'temperature-humidity-rs485', edit: (m) => (m.points = []), path: '$.points', fix: /add at least one point/ },
];

for (const c of CASES) {
  test(`broken manifest: ${c.title}`, (t) => {
    const json = shipped(c.base);
    c.edit(json);
    const error = problemsOf(json, `broken/${c.base}.json`);
    t.is(error.code, 'MANIFEST_INVALID');
    const problem = error.problems.find((p) => p.path === c.path);
    t.truthy(problem, `a problem at ${c.path}; got:\n${error.message}`);
    if (problem === undefined) return;
    t.is(problem.file, `broken/${c.base}.json`);
    if (c.message) t.regex(problem.message, c.message);
    t.regex(problem.fix, c.fix);
    t.true(error.message.includes(`broken/${c.base}.json ${c.path}:`), 'the message names file and path');
    t.true(error.message.includes(problem.fix), 'the message carries the fix');
  });
}

test('all problems are reported at once, not just the first', (t) => {
  const json = shipped('water-level-rs485');
  json.points[4].type = 'flaot32';
  json.points[5].id = 'level';
  json.line.parity = 'nine';
  delete json.vendor;
  const error = problemsOf(json);
  t.deepEqual(
    error.problems.map((p) => p.path).sort(),
    ['$.line.parity', '$.points[4].type', '$.points[5].id', '$.vendor'].sort(),
  );
  t.regex(error.message, /4 problems/);
});

test('a JSON syntax error is reported with file:line:column', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-manifest-'));
  try {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{\n  "id": "x",\n  "name": "y"\n  "vendor": "z"\n}\n');
    const error = t.throws(() => loadDeviceManifest(file), { instanceOf: ManifestError }) as ManifestError;
    t.is(error.problems[0].line, 4);
    t.is(error.problems[0].column, 3);
    t.true(error.message.includes(`${file}:4:3`), error.message);
    t.regex(error.message, /comma is probably missing/);

    writeFileSync(file, '{"points": [1, 2,]}');
    const trailing = t.throws(() => loadDeviceManifest(file), { instanceOf: ManifestError }) as ManifestError;
    t.deepEqual([trailing.problems[0].line, trailing.problems[0].column], [1, 18]);
    t.regex(trailing.message, /trailing comma/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadManifestDirectory collects the problems of every file and checks ids against file names', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-manifests-'));
  try {
    const good = shipped('temperature-humidity-rs485');
    writeFileSync(path.join(dir, 'temperature-humidity-rs485.json'), JSON.stringify(good));
    writeFileSync(path.join(dir, 'renamed.json'), JSON.stringify(good));
    writeFileSync(path.join(dir, 'broken.json'), '{ "id": ');
    writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    const error = t.throws(() => loadManifestDirectory(dir), { instanceOf: ManifestError }) as ManifestError;
    t.deepEqual(error.problems.map((p) => path.basename(p.file)), ['broken.json', 'renamed.json']);
    t.regex(error.problems[1].fix, /rename the file to temperature-humidity-rs485\.json/);
    t.regex(error.problems[0].message, /invalid JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file is a ManifestError naming the file', (t) => {
  const error = t.throws(() => loadDeviceManifest('/nonexistent/dir/x.json'), { instanceOf: ManifestError }) as ManifestError;
  t.regex(error.message, /\/nonexistent\/dir\/x\.json/);
});

test('JSON path helpers', (t) => {
  t.is(formatJsonPath(['points', 3, 'type']), '$.points[3].type');
  t.is(formatJsonPath(['odd key']), "$['odd key']");
  t.is(pointerToJsonPath('/points/12/sim/model'), '$.points[12].sim.model');
  t.is(pointerToJsonPath(''), '$');
  t.is(findJsonSyntaxError('{"a": [1, 2]}'), undefined);
  t.like(findJsonSyntaxError('{"a": tru}'), { line: 1, column: 7 });
  t.like(findJsonSyntaxError('{\n "a": "x\n"}'), { line: 2, column: 9 });
  t.like(findJsonSyntaxError(''), { line: 1, column: 1 });
});

test('a block of copied points gives one overlap report per point, not one per pair (found by npm run fuzz)', (t) => {
  const m = shipped('water-level-rs485');
  const first = m.points[0] as Json;
  m.points = Array.from({ length: 300 }, (_, i) => ({ ...first, id: `copy_${i}` }));
  const overlaps = problemsOf(m).problems.filter((p) => /overlaps 'copy_\d+'/.test(p.message));
  // Before: 44,850 reports (every pair), which for the 2,204 points the fuzzer made took over a minute to build.
  t.is(overlaps.length, 299);
  t.deepEqual(overlaps.map((p) => p.path), Array.from({ length: 299 }, (_, i) => `$.points[${i + 1}].address`));
});

test('a problem list says each fix once: no second Fix line under the list', async (t) => {
  const { SiteError } = await import('../site/site-error.js');
  const { HostConfigError } = await import('../../firmware/rpi/host/host-config.js');
  const one = [{ file: 'a.json', path: '$.x', message: 'x is wrong', fix: 'set x to 1' }];
  const two = [...one, { file: 'a.json', path: '$.y', message: 'y is wrong', fix: 'set y to 2' }];
  for (const make of [(p: typeof one) => new ManifestError(p), (p: typeof one) => new SiteError(p), (p: typeof one) => new HostConfigError(p)]) {
    for (const problems of [one, two]) {
      const error = make(problems);
      t.is(error.message.match(/Fix:/g)?.length, problems.length, error.message);
      t.notRegex(error.message, /\(at a\.json\)/);
      t.truthy(error.fix, 'the overall fix stays available to programs');
    }
  }
});

test('an order that is no byte order is called that, not "a 16-bit order", on an int32 point', (t) => {
  const json = shipped('energy-meter-sdm');
  Object.assign(json.points[0], { type: 'int32', order: 'ABDC' });
  const problems = problemsOf(json).problems.filter((p) => p.path === '$.points[0].order');
  t.deepEqual(problems.filter((p) => /16-bit order/.test(p.message)), []);
  const named = problems.find((p) => /"ABDC" is not a byte order/.test(p.message));
  t.regex(named?.fix ?? '', /ABCD \(default\), CDAB .* for int32/);
});
