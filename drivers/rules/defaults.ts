import type { DeviceManifest, DevicePoint } from '../devices/manifest.js';
import type { SiteDevice, SiteFile } from '../gateway/site.js';
import type { AlertRuleConfig } from './config.js';
import { DEFAULT_OFFLINE_PERIODS } from './offline.js';

/**
 * DESIGN.md §7 defaults, in the units named here; thresholds are converted to the
 * point's unit. Hysteresis and debounce are ours: wide enough for the sensors' noise
 * (level transmitters ±1 cm, pressure ±0.005 MPa), short enough not to delay a real event.
 */
export const ALERT_DEFAULTS = {
  /** Road/underpass ponding depth, cm: national design ponding limit, Shanghai underpass closure line. */
  waterLevelCm: { warning: 15, critical: 25, hysteresis: 2, debounceSamples: 2 },
  /** Hydrant/main pressure, MPa. */
  pressureMpa: { lowWarning: 0.14, lowCritical: 0.1, lowHysteresis: 0.02, high: 1.0, highHysteresis: 0.05, debounceSamples: 2 },
  /** Heat detector: static class A1 (54–65 °C, use 57) and rate of rise. */
  heatC: { fixed: 57, hysteresis: 2, risePerMinute: 10, riseWindowS: 60 },
  offlinePeriods: DEFAULT_OFFLINE_PERIODS,
} as const;

/**
 * The default rules for one site device, chosen by its manifest's category:
 *  - water-level: `<device>.level` threshold, warning ≥ 15 cm, critical ≥ 25 cm;
 *  - pressure: `<device>.pressure-low` (warning ≤ 0.14, critical ≤ 0.10 MPa) and `<device>.pressure-high` (warning ≥ 1.0 MPa);
 *  - smoke-heat: `<device>.heat` critical ≥ 57 °C and `<device>.heat-rise` critical > 10 °C/min over 60 s;
 *  - any category: a critical boolean rule `<device>.<point>` per point with role "alarm" (smoke, heat bits);
 *  - every device: `<device>.offline` after 3 poll periods (critical for alarm-class devices, else warning).
 * A threshold is only defaulted when the point's unit is one we can convert to (mm/cm/m, MPa/kPa/bar, °C);
 * anything else needs a site rule. Points disabled in the site file get no rules.
 */
export function defaultRulesFor(device: SiteDevice, manifest: DeviceManifest): AlertRuleConfig[] {
  const points = manifest.points.filter((point) => device.points?.[point.id]?.disabled !== true);
  const rules: AlertRuleConfig[] = [];
  switch (manifest.category) {
    case 'water-level':
      rules.push(...waterLevelRules(device.id, points));
      break;
    case 'pressure':
      rules.push(...pressureRules(device.id, points));
      break;
    case 'smoke-heat':
      rules.push(...heatRules(device.id, points));
      break;
    default:
      break;
  }
  for (const point of points) {
    if (point.role === 'alarm') rules.push({ kind: 'boolean', id: `${device.id}.${point.id}`, device: device.id, point: point.id, level: 'critical' });
  }
  rules.push({
    kind: 'offline',
    id: `${device.id}.offline`,
    device: device.id,
    periods: ALERT_DEFAULTS.offlinePeriods,
    level: manifest.alarmClass === true ? 'critical' : 'warning',
  });
  return rules;
}

/**
 * Site rules override defaults with the same id (a site rule with `disabled: true`
 * switches a default off); site rules with new ids are added after the defaults.
 */
export function mergeRules(defaults: readonly AlertRuleConfig[], siteRules: readonly AlertRuleConfig[] = []): AlertRuleConfig[] {
  const overrides = new Map(siteRules.map((rule) => [rule.id, rule]));
  const merged = defaults.map((rule) => overrides.get(rule.id) ?? rule);
  const defaultIds = new Set(defaults.map((rule) => rule.id));
  return [...merged, ...siteRules.filter((rule) => !defaultIds.has(rule.id))];
}

/**
 * The rule set a gateway runs for a site: each device's defaults merged with
 * the site's rules (mergeRules). Site rule ids are kebab-case (site schema) and
 * default ids contain a dot, so a site cannot override a default by id; a
 * default is therefore also dropped when a site rule of the same kind watches
 * the same device and point (offline: the same device). Without that, a site
 * that writes its own ponding rule would raise every alarm twice.
 */
export function siteRules(site: SiteFile, manifests: ReadonlyMap<string, DeviceManifest>): AlertRuleConfig[] {
  const own = site.rules ?? [];
  const covered = new Set(own.map(coverageKey));
  const defaults: AlertRuleConfig[] = [];
  for (const bus of site.buses) {
    for (const device of bus.devices) {
      const manifest = manifests.get(device.manifest);
      if (manifest === undefined) continue; // the site validator reports unknown manifests
      for (const rule of defaultRulesFor(device, manifest)) if (!covered.has(coverageKey(rule))) defaults.push(rule);
    }
  }
  return mergeRules(defaults, own);
}

function coverageKey(rule: AlertRuleConfig): string {
  return `${rule.kind}\u0000${rule.device}\u0000${rule.kind === 'offline' ? '' : rule.point}`;
}

function waterLevelRules(deviceId: string, points: DevicePoint[]): AlertRuleConfig[] {
  const point = pickPoint(points, 'level', (unit) => fromCentimetres(1, unit) !== undefined);
  if (point === undefined) return [];
  const d = ALERT_DEFAULTS.waterLevelCm;
  const cm = (value: number) => fromCentimetres(value, point.unit) as number;
  return [
    {
      kind: 'threshold',
      id: `${deviceId}.level`,
      device: deviceId,
      point: point.id,
      levels: [
        { level: 'warning', above: cm(d.warning) },
        { level: 'critical', above: cm(d.critical) },
      ],
      hysteresis: cm(d.hysteresis),
      debounceSamples: d.debounceSamples,
    },
  ];
}

function pressureRules(deviceId: string, points: DevicePoint[]): AlertRuleConfig[] {
  const point = pickPoint(points, 'pressure', (unit) => fromMegapascals(1, unit) !== undefined);
  if (point === undefined) return [];
  const d = ALERT_DEFAULTS.pressureMpa;
  const mpa = (value: number) => fromMegapascals(value, point.unit) as number;
  return [
    {
      kind: 'threshold',
      id: `${deviceId}.pressure-low`,
      device: deviceId,
      point: point.id,
      levels: [
        { level: 'warning', below: mpa(d.lowWarning) },
        { level: 'critical', below: mpa(d.lowCritical) },
      ],
      hysteresis: mpa(d.lowHysteresis),
      debounceSamples: d.debounceSamples,
    },
    {
      kind: 'threshold',
      id: `${deviceId}.pressure-high`,
      device: deviceId,
      point: point.id,
      levels: [{ level: 'warning', above: mpa(d.high) }],
      hysteresis: mpa(d.highHysteresis),
      debounceSamples: d.debounceSamples,
    },
  ];
}

function heatRules(deviceId: string, points: DevicePoint[]): AlertRuleConfig[] {
  const point = pickPoint(points, 'temperature', isCelsius);
  if (point === undefined) return [];
  const d = ALERT_DEFAULTS.heatC;
  return [
    // A fire does not wait for a second sample: no debounce on heat.
    { kind: 'threshold', id: `${deviceId}.heat`, device: deviceId, point: point.id, levels: [{ level: 'critical', above: d.fixed }], hysteresis: d.hysteresis },
    { kind: 'rate-of-rise', id: `${deviceId}.heat-rise`, device: deviceId, point: point.id, perMinute: d.risePerMinute, windowS: d.riseWindowS, level: 'critical' },
  ];
}

/** The point with the conventional id, else the first measurement point whose unit fits. */
function pickPoint(points: DevicePoint[], preferredId: string, unitFits: (unit: string | undefined) => boolean): DevicePoint | undefined {
  const named = points.find((point) => point.id === preferredId && unitFits(point.unit));
  return named ?? points.find((point) => (point.role ?? 'measurement') === 'measurement' && unitFits(point.unit));
}

const CENTIMETRES_PER_UNIT: Record<string, number> = { mm: 0.1, cm: 1, m: 100 };
const MEGAPASCALS_PER_UNIT: Record<string, number> = { kPa: 0.001, MPa: 1, bar: 0.1 };

function fromCentimetres(value: number, unit: string | undefined): number | undefined {
  return convert(value, unit, CENTIMETRES_PER_UNIT);
}

function fromMegapascals(value: number, unit: string | undefined): number | undefined {
  return convert(value, unit, MEGAPASCALS_PER_UNIT);
}

/** Rounded to 12 significant digits so 0.14 MPa is 1.4 bar in the site view, not 1.4000000000000001. */
function convert(value: number, unit: string | undefined, perUnit: Record<string, number>): number | undefined {
  const factor = unit === undefined || !Object.prototype.hasOwnProperty.call(perUnit, unit) ? undefined : perUnit[unit];
  return factor === undefined ? undefined : Number((value / factor).toPrecision(12));
}

function isCelsius(unit: string | undefined): boolean {
  return unit === '°C' || unit === '℃' || unit === 'C' || unit === 'degC';
}
