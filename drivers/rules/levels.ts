import type { AlertLevel } from './config.js';

/** Levels in raise order; clears go the other way so an alarm winds down from its worst level. */
export const LEVELS_RAISE_ORDER: readonly AlertLevel[] = ['warning', 'critical'];
export const LEVELS_CLEAR_ORDER: readonly AlertLevel[] = ['critical', 'warning'];

/** What a rule evaluator asks the engine to do for one level. */
export interface LevelTransition {
  level: AlertLevel;
  state: 'raised' | 'cleared';
  /** The value that caused it (absent for offline). */
  value?: number | boolean;
}

/** Read-only view of a rule's alarm state, so evaluators can apply hysteresis against the current state. */
export interface ActiveLevels {
  isActive(level: AlertLevel): boolean;
}
