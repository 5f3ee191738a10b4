import type { Sample } from '../gateway/events.js';
import type { AlertLevel, RateOfRiseRule } from './config.js';
import type { ActiveLevels, LevelTransition } from './levels.js';

/**
 * The samples must span at least this fraction of the window before a rate is
 * trusted: two readings a few seconds apart turn sensor noise into a huge slope.
 */
export const MIN_WINDOW_COVERAGE = 0.5;

/**
 * Rate of rise over a sliding window:
 *   rate = (latest − oldest) / minutes between them,
 * over the samples with t ≥ latest.t − windowS. It needs ≥ 2 samples spanning at least
 * MIN_WINDOW_COVERAGE × windowS. Raised when rate > perMinute; cleared when
 * rate < clearPerMinute (default perMinute / 2). Without a trustworthy rate the state holds.
 */
export class RateOfRiseEvaluator {
  readonly rule: RateOfRiseRule;
  readonly #windowMs: number;
  readonly #clearPerMinute: number;
  /** (t, value) pairs in time order, oldest first. */
  #window: Array<{ t: number; value: number }> = [];

  constructor(rule: RateOfRiseRule) {
    this.rule = rule;
    this.#windowMs = Math.max(0, rule.windowS * 1000);
    this.#clearPerMinute = rule.clearPerMinute ?? rule.perMinute / 2;
  }

  get levels(): AlertLevel[] {
    return [this.rule.level];
  }

  /** Current rate in units per minute, or undefined while the window holds too little. */
  rate(): number | undefined {
    if (this.#window.length < 2) return undefined;
    const oldest = this.#window[0];
    const latest = this.#window[this.#window.length - 1];
    const spanMs = latest.t - oldest.t;
    if (spanMs <= 0 || spanMs < this.#windowMs * MIN_WINDOW_COVERAGE) return undefined;
    return (latest.value - oldest.value) / (spanMs / 60000);
  }

  onSample(sample: Sample, state: ActiveLevels): LevelTransition[] {
    const value = sample.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) return [];
    const last = this.#window[this.#window.length - 1];
    // A clock step backwards would make the window meaningless: start it again.
    if (last !== undefined && sample.t < last.t) this.#window = [];
    this.#window.push({ t: sample.t, value });
    const start = sample.t - this.#windowMs;
    while (this.#window.length > 0 && this.#window[0].t < start) this.#window.shift();

    const rate = this.rate();
    if (rate === undefined) return [];
    const level = this.rule.level;
    if (!state.isActive(level) && rate > this.rule.perMinute) return [{ level, state: 'raised', value }];
    if (state.isActive(level) && rate < this.#clearPerMinute) return [{ level, state: 'cleared', value }];
    return [];
  }
}
