import type { AlertState } from '../gateway/events.js';
import type { AlertLevel, AlertRuleConfig } from './config.js';
import { DEFAULT_OFFLINE_PERIODS } from './offline.js';

/**
 * Text for an alert event. A site's own `message` is used as written for the raise
 * and suffixed for the other states; otherwise the text names the device, point,
 * value and the condition, so an SMS or a console line stands on its own.
 */
export function alertMessage(rule: AlertRuleConfig, level: AlertLevel, state: AlertState, value?: number | boolean): string {
  const base = rule.message ?? describe(rule, level);
  const shown = value === undefined ? '' : ` (${formatValue(value)})`;
  if (state === 'raised') return rule.message ?? `${base}${shown}`;
  return `${base}: ${state}${state === 'cleared' ? shown : ''}`;
}

function describe(rule: AlertRuleConfig, level: AlertLevel): string {
  switch (rule.kind) {
    case 'threshold': {
      const bounds = rule.levels
        .filter((entry) => entry.level === level)
        .flatMap((entry) => [entry.above === undefined ? '' : `≥ ${entry.above}`, entry.below === undefined ? '' : `≤ ${entry.below}`])
        .filter((text) => text !== '');
      return `${level}: ${rule.device} ${rule.point} ${bounds.join(' or ')}`;
    }
    case 'rate-of-rise':
      return `${level}: ${rule.device} ${rule.point} rising faster than ${rule.perMinute}/min`;
    case 'boolean':
      return `${level}: ${rule.device} ${rule.point} in alarm`;
    case 'offline':
      return `${level}: ${rule.device} silent for ${rule.periods ?? DEFAULT_OFFLINE_PERIODS} poll periods`;
  }
}

function formatValue(value: number | boolean): string {
  return typeof value === 'boolean' ? String(value) : String(Math.round(value * 1000) / 1000);
}
