import type { DigitalOutput } from '../ports/digital.js';
import type { AlertLevel, AlertRuleConfig } from './config.js';
import { AlertRuleError } from './errors.js';

const LEVEL_NAMES: readonly AlertLevel[] = ['warning', 'critical'];

/**
 * Checks what the type system cannot: site files arrive as JSON, and a rule that could
 * never fire (no bounds, a zero window) is better refused at boot than discovered in a flood.
 */
export function validateRules(rules: readonly AlertRuleConfig[], outputs: Record<string, DigitalOutput> | undefined): void {
  const seen = new Set<string>();
  for (const rule of rules) {
    const where = `rule ${rule.id}`;
    if (typeof rule.id !== 'string' || rule.id === '') throw new AlertRuleError('An alert rule has no id', { where: `device ${rule.device}`, fix: 'give every rule a unique "id"' });
    if (seen.has(rule.id)) throw new AlertRuleError(`Two alert rules share the id "${rule.id}"`, { where, fix: 'rule ids must be unique within a site' });
    seen.add(rule.id);
    checkRule(rule, where);
    if (rule.action !== undefined && outputs !== undefined && !Object.prototype.hasOwnProperty.call(outputs, rule.action.output)) {
      throw new AlertRuleError(`Rule action names output "${rule.action.output}", which the site does not have`, {
        where,
        fix: `add "${rule.action.output}" to the site's "outputs", or correct the rule's action.output`,
      });
    }
    if (rule.action?.pulseMs !== undefined && !(rule.action.pulseMs > 0)) {
      throw new AlertRuleError('action.pulseMs must be a positive number of milliseconds', { where });
    }
  }
}

function checkRule(rule: AlertRuleConfig, where: string): void {
  switch (rule.kind) {
    case 'threshold':
      if (!Array.isArray(rule.levels) || rule.levels.length === 0) throw new AlertRuleError('A threshold rule needs at least one level', { where });
      for (const entry of rule.levels) {
        checkLevel(entry.level, where);
        if (!isFiniteNumber(entry.above) && !isFiniteNumber(entry.below)) {
          throw new AlertRuleError(`Threshold level "${entry.level}" has neither "above" nor "below"`, { where, fix: 'give a number for above, below or both' });
        }
      }
      if (rule.hysteresis !== undefined && !(rule.hysteresis >= 0)) throw new AlertRuleError('hysteresis must be ≥ 0', { where });
      if (rule.debounceSamples !== undefined && !(rule.debounceSamples >= 1)) throw new AlertRuleError('debounceSamples must be ≥ 1', { where });
      if (rule.debounceS !== undefined && !(rule.debounceS >= 0)) throw new AlertRuleError('debounceS must be ≥ 0', { where });
      return;
    case 'rate-of-rise':
      checkLevel(rule.level, where);
      if (!isFiniteNumber(rule.perMinute)) throw new AlertRuleError('perMinute must be a number', { where });
      if (!(rule.windowS > 0)) throw new AlertRuleError('windowS must be a positive number of seconds', { where, fix: 'e.g. 60 for a heat detector' });
      return;
    case 'boolean':
      checkLevel(rule.level, where);
      return;
    case 'offline':
      checkLevel(rule.level, where);
      if (rule.periods !== undefined && !(rule.periods > 0)) throw new AlertRuleError('periods must be a positive number of poll periods', { where });
      return;
    default:
      throw new AlertRuleError(`Unknown rule kind "${(rule as { kind: unknown }).kind}"`, { where, fix: 'use threshold, rate-of-rise, boolean or offline' });
  }
}

function checkLevel(level: unknown, where: string): void {
  if (!LEVEL_NAMES.includes(level as AlertLevel)) throw new AlertRuleError(`Unknown alert level "${String(level)}"`, { where, fix: 'use "warning" or "critical"' });
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
