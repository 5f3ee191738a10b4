import type { Sample } from '../gateway/events.js';
import type { AlertLevel, BooleanRule } from './config.js';
import type { ActiveLevels, LevelTransition } from './levels.js';

/**
 * A boolean alarm point (smoke, heat, flood switch): raised on the first sample in the
 * alarm state, cleared on the first sample out of it. No debounce: the detector has
 * already done its own confirmation, and a fire alarm must not wait for a second poll.
 * Numbers count as booleans (non-zero is true) because some maps deliver alarm bits as 0/1.
 */
export class BooleanEvaluator {
  readonly rule: BooleanRule;

  constructor(rule: BooleanRule) {
    this.rule = rule;
  }

  get levels(): AlertLevel[] {
    return [this.rule.level];
  }

  onSample(sample: Sample, state: ActiveLevels): LevelTransition[] {
    const value = sample.value;
    if (typeof value === 'number' && Number.isNaN(value)) return [];
    const inAlarm = (typeof value === 'boolean' ? value : value !== 0) === (this.rule.when ?? true);
    const level = this.rule.level;
    if (inAlarm && !state.isActive(level)) return [{ level, state: 'raised', value }];
    if (!inAlarm && state.isActive(level)) return [{ level, state: 'cleared', value }];
    return [];
  }
}
