import { test } from '../../test/kit/core-test.js';
import hydrantPressure from '../../manifests/devices/hydrant-pressure.json' with { type: 'json' };
import radarLevel from '../../manifests/devices/radar-level-gauge.json' with { type: 'json' };
import smokeHeat from '../../manifests/devices/smoke-heat-detector.json' with { type: 'json' };
import temperatureHumidity from '../../manifests/devices/temperature-humidity-rs485.json' with { type: 'json' };
import waterLevel from '../../manifests/devices/water-level-rs485.json' with { type: 'json' };
import type { DeviceManifest } from '../devices/manifest.js';
import type { SiteDevice } from '../gateway/site.js';
import type { AlertRuleConfig } from './config.js';
import { defaultRulesFor, mergeRules } from './defaults.js';
import { eventTrail, ruleHarness } from './testing/harness.js';

const manifest = (json: unknown) => json as DeviceManifest;
const site = (id: string, manifestId: string, extra: Partial<SiteDevice> = {}): SiteDevice => ({ id, manifest: manifestId, address: 1, ...extra });
const strip = (rules: AlertRuleConfig[]) => rules.map((rule) => JSON.parse(JSON.stringify(rule)) as AlertRuleConfig);

test('water level: 15 cm warning, 25 cm critical with hysteresis and debounce, plus offline', (t) => {
  t.deepEqual(strip(defaultRulesFor(site('up1', 'water-level-rs485'), manifest(waterLevel))), [
    {
      kind: 'threshold',
      id: 'up1.level',
      device: 'up1',
      point: 'level',
      levels: [
        { level: 'warning', above: 15 },
        { level: 'critical', above: 25 },
      ],
      hysteresis: 2,
      debounceSamples: 2,
    },
    { kind: 'offline', id: 'up1.offline', device: 'up1', periods: 3, level: 'warning' },
  ]);
});

test('a level point in metres gets the same depths converted', (t) => {
  const [rule] = defaultRulesFor(site('r1', 'radar-level-gauge'), manifest(radarLevel));
  t.is(rule.kind, 'threshold');
  if (rule.kind !== 'threshold') return;
  t.is(rule.point, 'level');
  t.deepEqual(rule.levels, [
    { level: 'warning', above: 0.15 },
    { level: 'critical', above: 0.25 },
  ]);
  t.is(rule.hysteresis, 0.02);
});

test('pressure: low warning 0.14, low critical 0.10, high 1.0 MPa', (t) => {
  const rules = defaultRulesFor(site('h1', 'hydrant-pressure'), manifest(hydrantPressure));
  t.deepEqual(
    rules.map((rule) => rule.id),
    ['h1.pressure-low', 'h1.pressure-high', 'h1.offline'],
  );
  const [low, high] = rules;
  t.deepEqual(low.kind === 'threshold' && low.levels, [
    { level: 'warning', below: 0.14 },
    { level: 'critical', below: 0.1 },
  ]);
  t.deepEqual(high.kind === 'threshold' && high.levels, [{ level: 'warning', above: 1 }]);
});

test('smoke-heat: 57 °C and 10 °C/min heat rules, boolean critical per alarm point, critical offline for an alarm-class device', (t) => {
  const rules = defaultRulesFor(site('fp1', 'smoke-heat-detector'), manifest(smokeHeat));
  t.deepEqual(
    rules.map((rule) => `${rule.id}:${rule.kind}`),
    ['fp1.heat:threshold', 'fp1.heat-rise:rate-of-rise', 'fp1.smoke_alarm:boolean', 'fp1.heat_alarm:boolean', 'fp1.offline:offline'],
  );
  const rise = rules[1];
  t.deepEqual(rise.kind === 'rate-of-rise' && [rise.point, rise.perMinute, rise.windowS, rise.level], ['temperature', 10, 60, 'critical']);
  const heat = rules[0];
  t.deepEqual(heat.kind === 'threshold' && heat.levels, [{ level: 'critical', above: 57 }]);
  t.is(rules[2].kind === 'boolean' && rules[2].level, 'critical');
  t.is(rules[4].kind === 'offline' && rules[4].level, 'critical');
});

test('categories without §7 thresholds get offline only; disabled points get no rules', (t) => {
  t.deepEqual(
    defaultRulesFor(site('th1', 'temperature-humidity-rs485'), manifest(temperatureHumidity)).map((rule) => rule.id),
    ['th1.offline'],
  );
  const rules = defaultRulesFor(site('fp1', 'smoke-heat-detector', { points: { smoke_alarm: { disabled: true } } }), manifest(smokeHeat));
  t.false(rules.some((rule) => rule.id === 'fp1.smoke_alarm'));
});

test('site rules replace defaults by id, can disable them, and add their own', (t) => {
  const defaults = defaultRulesFor(site('up1', 'water-level-rs485'), manifest(waterLevel));
  const merged = mergeRules(defaults, [
    { kind: 'threshold', id: 'up1.level', device: 'up1', point: 'level', levels: [{ level: 'critical', above: 30 }] },
    { kind: 'offline', id: 'up1.offline', device: 'up1', level: 'warning', disabled: true },
    { kind: 'rate-of-rise', id: 'up1.flash-flood', device: 'up1', point: 'level', perMinute: 2, windowS: 300, level: 'warning' },
  ]);
  t.deepEqual(
    merged.map((rule) => `${rule.id}${rule.disabled === true ? ' (off)' : ''}`),
    ['up1.level', 'up1.offline (off)', 'up1.flash-flood'],
  );
  const h = ruleHarness({ rules: merged });
  h.engine.onSample({ device: 'up1', point: 'level', t: 0, value: 20 });
  t.deepEqual(h.events, [], 'the site moved the level threshold to 30 cm');
  h.engine.onSample({ device: 'up1', point: 'level', t: 1, value: 31 });
  t.deepEqual(eventTrail(h.events), ['up1.level/critical/raised']);
  h.engine.close();
  t.is(h.clock.pending, 0, 'the disabled offline rule set no watchdog');
});

test('the default rules of every shipped manifest build an engine', (t) => {
  const devices: Array<[string, unknown]> = [
    ['water-level-rs485', waterLevel],
    ['radar-level-gauge', radarLevel],
    ['hydrant-pressure', hydrantPressure],
    ['smoke-heat-detector', smokeHeat],
    ['temperature-humidity-rs485', temperatureHumidity],
  ];
  const rules = devices.flatMap(([id, json], i) => defaultRulesFor(site(`dev${i}`, id), manifest(json)));
  const h = ruleHarness({ rules });
  t.is(h.engine.activeAlarms().length, 0);
  h.engine.close();
});
