import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SiteError, inspectSiteFile, loadShippedManifests, loadSiteFile, validateSiteFile } from './validate.js';
import { demoSite } from './demo-site.js';
import { tenRegisterManifest, thousandDeviceSite } from '../../drivers/batch/test-support.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const demoPath = path.join(root, 'manifests/sites/demo.json');
const manifests = loadShippedManifests();

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are edited freely

test('the demo site is valid: one RS-485 bus with 12 devices including the DL/T 645 meter', (t) => {
  const warnings: string[] = [];
  const site = loadSiteFile(demoPath, { onWarning: (w) => warnings.push(`${w.path} ${w.message}`) });
  t.is(site.$schema, '../schema/site.schema.json');
  const bus = site.buses[0];
  t.deepEqual([bus.port, bus.baud, bus.parity, bus.stopBits], ['sim:demo-bus-1', 9600, 'none', 1]);
  t.true(bus.devices.length >= 12);
  const models = bus.devices.map((d) => d.manifest);
  for (const id of ['water-level-rs485', 'radar-level-gauge', 'temperature-humidity-rs485', 'smoke-heat-detector', 'hydrant-pressure', 'energy-meter-sdm', 'dlt645-meter']) t.true(models.includes(id), id);
  t.is(models.filter((m) => m === 'smoke-heat-detector').length, 2);
  t.is(models.filter((m) => m === 'hydrant-pressure').length, 2);
  t.true(models.filter((m) => m === 'water-level-rs485').length >= 3);
  t.deepEqual(warnings, ["$.buses[0].devices[11].manifest 'dlt645-meter' leaves the factory at 2400 8E1, the bus runs 9600 8N1; DL/T 645 specifies 8E1, so check that this meter accepts no parity (most do)"]);
  // DESIGN.md §7 defaults
  const rule = (id: string) => site.rules?.find((r) => r.id === id) as Json;
  t.deepEqual(rule('underpass-longhua-ponding').levels, [{ level: 'warning', above: 15 }, { level: 'critical', above: 25 }]);
  t.deepEqual(rule('hydrant-north-pressure').levels, [{ level: 'critical', below: 0.1 }, { level: 'warning', below: 0.14 }, { level: 'warning', above: 1 }]);
  t.is(rule('smoke-pump-room-heat').levels[0].above, 57);
  t.is(rule('smoke-pump-room-rate-of-rise').perMinute, 10);
  t.is(rule('smoke-pump-room-smoke').kind, 'boolean');
  const everyDevice = site.buses.flatMap((b) => b.devices.map((d) => d.id));
  t.deepEqual(everyDevice.filter((id) => rule(`${id}-offline`)?.periods !== 3), [], 'every device has an offline rule after 3 periods');
  t.deepEqual(bus.devices[0].adaptive, { point: 'level', above: 1, pollPeriodS: 60 });
  t.is(site.uplink.kind, 'lorawan');
});

interface BrokenCase {
  title: string;
  edit: (site: Json) => void;
  path: string;
  message: RegExp;
  fix: RegExp;
}

const cases: BrokenCase[] = [
  { title: 'missing uplink', edit: (s) => delete s.uplink, path: '$.uplink', message: /required field "uplink"/, fix: /add "uplink"/ },
  { title: 'misspelt field', edit: (s) => { s.buses[0].devices[0].pollPeriod = 60; }, path: '$.buses[0].devices[0].pollPeriod', message: /unknown field/, fix: /did you mean 'pollPeriodS'/ },
  { title: 'parity typo', edit: (s) => { s.buses[0].parity = 'none '; }, path: '$.buses[0].parity', message: /not a valid parity/, fix: /none, even, odd/ },
  { title: 'baud as text', edit: (s) => { s.buses[0].baud = '9600'; }, path: '$.buses[0].baud', message: /must be an integer/, fix: /without quotes: 9600/ },
  { title: 'duplicate bus id', edit: (s) => { s.buses[1].id = 'rs485-1'; }, path: '$.buses[1].id', message: /bus id 'rs485-1' is already used at \$\.buses\[0\]\.id/, fix: /unique/ },
  { title: 'two buses on one port', edit: (s) => { s.buses[1].port = 'sim:demo-bus-1'; }, path: '$.buses[1].port', message: /already the port of \$\.buses\[0\]/, fix: /one scheduler per port/ },
  { title: 'duplicate device id', edit: (s) => { s.buses[1].devices[0].id = 'site-meter'; }, path: '$.buses[1].devices[0].id', message: /device id 'site-meter' is already used/, fix: /unique/ },
  { title: 'unknown manifest', edit: (s) => { s.buses[0].devices[0].manifest = 'water-level-rs458'; }, path: '$.buses[0].devices[0].manifest', message: /no device manifest 'water-level-rs458'/, fix: /did you mean 'water-level-rs485'/ },
  { title: 'duplicate unit id', edit: (s) => { s.buses[0].devices[3].address = 1; }, path: '$.buses[0].devices[3].address', message: /Modbus unit id on this bus '1' is already used at \$\.buses\[0\]\.devices\[0\]\.address/, fix: /unique/ },
  { title: 'unit id out of range', edit: (s) => { s.buses[0].devices[0].address = 0; }, path: '$.buses[0].devices[0].address', message: /not a Modbus unit id/, fix: /1 to 247/ },
  { title: 'unit id as text', edit: (s) => { s.buses[0].devices[0].address = '1'; }, path: '$.buses[0].devices[0].address', message: /is text/, fix: /without quotes: 1/ },
  { title: 'meter address as a number', edit: (s) => { s.buses[0].devices[11].address = 161; }, path: '$.buses[0].devices[11].address', message: /is a number/, fix: /"000000000161"/ },
  { title: 'bad meter address', edit: (s) => { s.buses[0].devices[11].address = '00000000016X'; }, path: '$.buses[0].devices[11].address', message: /not a DL\/T 645 address/, fix: /nameplate/ },
  { title: 'wildcard meter address', edit: (s) => { s.buses[0].devices[11].address = 'AAAAAAAAAAAA'; }, path: '$.buses[0].devices[11].address', message: /wildcard/, fix: /read-address/ },
  { title: 'meter on an odd-parity bus', edit: (s) => { s.buses[0].parity = 'odd'; }, path: '$.buses[0].parity', message: /cannot use odd parity/, fix: /"even"/ },
  { title: 'meter at 38400 baud', edit: (s) => { s.buses[0].baud = 38400; }, path: '$.buses[0].baud', message: /cannot run at 38400 baud/, fix: /19200 baud or less/ },
  { title: '7 data bits', edit: (s) => { s.buses[0].dataBits = 7; }, path: '$.buses[0].dataBits', message: /8 data bits/, fix: /set it to 8/ },
  { title: 'rule on an unknown device', edit: (s) => { s.rules[0].device = 'underpass-longhau'; }, path: '$.rules[0].device', message: /no device 'underpass-longhau'/, fix: /did you mean 'underpass-longhua'/ },
  { title: 'rule on an unknown point', edit: (s) => { s.rules[0].point = 'levle'; }, path: '$.rules[0].point', message: /has no point 'levle'/, fix: /did you mean 'level'/ },
  { title: 'rule on a disabled point', edit: (s) => { s.rules[0].point = 'range_full'; s.buses[0].devices[0].points = { range_full: { disabled: true } }; }, path: '$.rules[0].point', message: /disabled/, fix: /remove "disabled": true/ },
  { title: 'duplicate rule id', edit: (s) => { s.rules[1].id = s.rules[0].id; }, path: '$.rules[1].id', message: /rule id .* is already used/, fix: /unique/ },
  { title: 'unknown output', edit: (s) => { s.rules[0].action.output = 'barrier'; }, path: '$.rules[0].action.output', message: /no output 'barrier'/, fix: /barrier-relay/ },
  { title: 'threshold level without a threshold', edit: (s) => { delete s.rules[0].levels[0].above; }, path: '$.rules[0].levels[0]', message: /needs "above" or "below"/, fix: /add "above"/ },
  { title: 'critical less extreme than warning', edit: (s) => { s.rules[0].levels[1].above = 10; }, path: '$.rules[0].levels', message: /critical threshold \(above 10\) is less extreme/, fix: /swap them/ },
  { title: 'boolean rule on a number', edit: (s) => { const r = s.rules.find((x: Json) => x.kind === 'boolean'); r.point = 'temperature'; }, path: '$.rules[6].point', message: /boolean rule needs an on\/off point/, fix: /threshold rule/ },
  { title: 'unknown rule kind', edit: (s) => { s.rules[0].kind = 'treshold'; }, path: '$.rules[0].kind', message: /not a valid kind/, fix: /did you mean 'threshold'/ },
  { title: 'rate-of-rise of zero per minute (the fix is a sentence)', edit: (s) => { s.rules.find((x: Json) => x.kind === 'rate-of-rise').perMinute = 0; }, path: '$.rules[8].perMinute', message: /must be > 0/, fix: /^use a value above 0\. Rise per minute/ },
  { title: 'rate-of-rise without a window', edit: (s) => { const r = s.rules.find((x: Json) => x.kind === 'rate-of-rise'); delete r.windowS; }, path: '$.rules[8].windowS', message: /required field "windowS"/, fix: /Sliding window/ },
  { title: 'adaptive point unknown', edit: (s) => { s.buses[0].devices[0].adaptive.point = 'lvl'; }, path: '$.buses[0].devices[0].adaptive.point', message: /has no point 'lvl'/, fix: /level/ },
  { title: 'adaptive without a condition', edit: (s) => { delete s.buses[0].devices[0].adaptive.above; }, path: '$.buses[0].devices[0].adaptive', message: /needs "above" or "below"/, fix: /add "above"/ },
  { title: 'override of an unknown point', edit: (s) => { s.buses[0].devices[4].points = { mounting_heigth: { disabled: true } }; }, path: "$.buses[0].devices[4].points.mounting_heigth", message: /has no point 'mounting_heigth'/, fix: /did you mean 'mounting_height'/ },
  { title: 'disabling a decimals register still needed', edit: (s) => { s.buses[0].devices[0].points = { decimals: { disabled: true } }; }, path: '$.buses[0].devices[0].points.decimals.disabled', message: /takes its decimal places from 'decimals'/, fix: /disable 'level' too/ },
  { title: 'two outputs on one pin', edit: (s) => { s.outputs[1].pin = 17; }, path: '$.outputs[1].pin', message: /output pin '17' is already used/, fix: /unique/ },
  { title: 'lorawan without a region', edit: (s) => { delete s.uplink.region; }, path: '$.uplink.region', message: /required field "region"/, fix: /EU868/ },
  { title: 'unknown region', edit: (s) => { s.uplink.region = 'CN471'; }, path: '$.uplink.region', message: /not a valid region/, fix: /did you mean 'CN470'/ },
  { title: 'maxRegisters above the protocol limit', edit: (s) => { s.buses[0].plan.maxRegisters = 200; }, path: '$.buses[0].plan.maxRegisters', message: /must be <= 125/, fix: /from 1 to 125/ },
];

for (const c of cases) {
  test(`broken site: ${c.title}`, (t) => {
    const site = demoSite() as unknown as Json;
    c.edit(site);
    const error = t.throws(() => validateSiteFile(site, 'sites/broken.json', manifests), { instanceOf: SiteError }) as SiteError;
    const problem = error.problems.find((p) => p.path === c.path);
    t.truthy(problem, `expected a problem at ${c.path}; got:\n${error.message}`);
    if (problem === undefined) return;
    t.is(problem.file, 'sites/broken.json');
    t.regex(problem.message, c.message);
    t.regex(problem.fix, c.fix);
    t.true(error.message.includes(`sites/broken.json ${c.path}:`), 'the message names file and path');
    t.is(error.code, 'SITE_INVALID');
  });
}

test('warnings do not fail validation: factory line settings, thresholds that can never fire, slow adaptive period', (t) => {
  const site = demoSite() as unknown as Json;
  site.rules[0].levels[1].above = 900;
  site.buses[0].devices[0].adaptive.pollPeriodS = 600;
  const { problems, warnings } = inspectSiteFile(site, 'x.json', manifests);
  t.deepEqual(problems, []);
  t.true(warnings.some((w) => w.path === '$.rules[0].levels[1].above' && /can never fire/.test(w.message)));
  t.true(warnings.some((w) => w.path === '$.buses[0].devices[0].adaptive.pollPeriodS' && /not shorter/.test(w.message)));
  t.true(warnings.some((w) => w.path === '$.buses[0].devices[11].manifest' && /2400 8E1/.test(w.message)));
});

test('syntax errors give line and column', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-site-'));
  try {
    const file = path.join(dir, 'site.json');
    writeFileSync(file, '{\n  "id": "x",\n  "name": "y"\n  "buses": []\n}\n');
    const error = t.throws(() => loadSiteFile(file, { manifests }), { instanceOf: SiteError }) as SiteError;
    t.is(error.problems[0].line, 4);
    t.regex(error.message, /site\.json:4:3: invalid JSON/);
    const missing = t.throws(() => loadSiteFile(path.join(dir, 'nope.json'), { manifests }), { instanceOf: SiteError }) as SiteError;
    t.regex(missing.problems[0].message, /cannot read the file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every problem of a file is listed at once', (t) => {
  const site = demoSite() as unknown as Json;
  site.buses[0].devices[0].manifest = 'nope';
  site.rules[0].point = 'nope';
  site.uplink.region = 'MARS';
  const error = t.throws(() => validateSiteFile(site, 'x.json', manifests), { instanceOf: SiteError }) as SiteError;
  t.true(error.problems.length >= 2);
  t.regex(error.message, /is invalid \(\d+ problems\)/);
});

/** 13,108 energy meters (5 channels each) and one water-level sensor: 65,541 channels, over 54 buses of at most 247 units. */
function siteOverTheChannelLimit(): Json {
  const devices = [...Array.from({ length: 13_108 }, (_, i) => ({ id: `meter-${i}`, manifest: 'energy-meter-sdm' })), { id: 'level-0', manifest: 'water-level-rs485' }];
  const buses = [];
  for (let b = 0; b * 247 < devices.length; b++) {
    const chunk = devices.slice(b * 247, (b + 1) * 247).map((d, u) => ({ ...d, address: u + 1 }));
    buses.push({ id: `bus-${b}`, port: `/dev/ttyUSB${b}`, baud: 9600, parity: 'none', stopBits: 1, devices: chunk });
  }
  const site = demoSite() as Json;
  return { id: 'big-site', name: 'Too many channels', uplink: site.uplink, buses };
}

test('a site over the channel limit is refused with its file, the count and a fix', (t) => {
  const error = t.throws(() => validateSiteFile(siteOverTheChannelLimit(), 'sites/big.json', manifests), { instanceOf: SiteError });
  const problem = error?.problems.find((p) => /uplink channels/.test(p.message));
  t.is(problem?.file, 'sites/big.json');
  t.is(problem?.path, '$.buses');
  t.regex(problem?.message ?? '', /65,541 uplink channels .* at most 65,536/);
  t.regex(problem?.fix ?? '', /split the devices over several gateways/);
});

test('a Pi with 8 buses of 125 ten-point devices (10,000 channels) is a valid site', (t) => {
  const withTenRegisters = new Map([...manifests, ['ten-registers', tenRegisterManifest()]]);
  t.notThrows(() => validateSiteFile(thousandDeviceSite() as unknown as Json, 'sites/thousand.json', withTenRegisters));
});
