import type { Sample } from '../gateway/events.js';
import type { AlertLevel, ThresholdRule } from './config.js';
import { Debounce } from './debounce.js';
import { LEVELS_RAISE_ORDER, type ActiveLevels, type LevelTransition } from './levels.js';

type Bound = { above?: number; below?: number };

/** One level of a threshold rule (several `levels` entries with the same level name act as one: any bound raises it). */
class ThresholdLevel {
  readonly level: AlertLevel;
  readonly #bounds: Bound[];
  readonly #hysteresis: number;
  /** Raise and clear are debounced alike, so noise can neither raise nor clear on one sample. */
  readonly #raise: Debounce;
  readonly #clear: Debounce;

  constructor(level: AlertLevel, bounds: Bound[], rule: ThresholdRule) {
    this.level = level;
    this.#bounds = bounds;
    this.#hysteresis = Math.abs(rule.hysteresis ?? 0);
    const samples = rule.debounceSamples ?? 1;
    const durationMs = (rule.debounceS ?? 0) * 1000;
    this.#raise = new Debounce(samples, durationMs);
    this.#clear = new Debounce(samples, durationMs);
  }

  /** At or beyond a threshold: value ≥ above, or value ≤ below. */
  #beyond(value: number): boolean {
    return this.#bounds.some((b) => (b.above !== undefined && value >= b.above) || (b.below !== undefined && value <= b.below));
  }

  /** Back past every threshold by more than the hysteresis: value < above − h and value > below + h. */
  #backToNormal(value: number): boolean {
    const h = this.#hysteresis;
    return this.#bounds.every((b) => (b.above === undefined || value < b.above - h) && (b.below === undefined || value > b.below + h));
  }

  /** The transition this value causes for this level, if any. */
  evaluate(value: number, t: number, active: boolean): 'raised' | 'cleared' | undefined {
    if (active) {
      this.#raise.reset();
      return this.#clear.update(this.#backToNormal(value), t) ? 'cleared' : undefined;
    }
    this.#clear.reset();
    return this.#raise.update(this.#beyond(value), t) ? 'raised' : undefined;
  }
}

/** Fixed thresholds per level with hysteresis and debounce. Each level has its own state. */
export class ThresholdEvaluator {
  readonly rule: ThresholdRule;
  readonly #levels: ThresholdLevel[];

  constructor(rule: ThresholdRule) {
    this.rule = rule;
    this.#levels = LEVELS_RAISE_ORDER.flatMap((level) => {
      const bounds = rule.levels.filter((entry) => entry.level === level);
      return bounds.length > 0 ? [new ThresholdLevel(level, bounds, rule)] : [];
    });
  }

  get levels(): AlertLevel[] {
    return this.#levels.map((l) => l.level);
  }

  onSample(sample: Sample, state: ActiveLevels): LevelTransition[] {
    const value = sample.value;
    // Thresholds compare numbers; a boolean or a non-finite value says nothing about them.
    if (typeof value !== 'number' || !Number.isFinite(value)) return [];
    // Clears first, winding down critical → warning, then raises climbing
    // warning → critical. #levels is in raise order (LEVELS_RAISE_ORDER, the
    // reverse of LEVELS_CLEAR_ORDER), so clears are prepended.
    // (Built by hand: this runs for every sample of a watched point, and a Map
    // plus filtered copies per sample cost more than the evaluation itself.)
    const transitions: LevelTransition[] = [];
    for (const level of this.#levels) {
      const outcome = level.evaluate(value, sample.t, state.isActive(level.level));
      if (outcome === 'cleared') transitions.unshift({ level: level.level, state: 'cleared', value });
      else if (outcome === 'raised') transitions.push({ level: level.level, state: 'raised', value });
    }
    return transitions;
  }
}
