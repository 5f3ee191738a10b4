import type { AlertLevel } from './config.js';
import type { ActiveLevels } from './levels.js';

/**
 * Alarm state of one rule, per level: normal → raised (→ acknowledged) → cleared,
 * where "cleared" returns the level to normal. Only what must survive a reboot lives
 * here; debounce counters and rate windows are rebuilt from new samples.
 */
export class RuleAlarmState implements ActiveLevels {
  #active = new Set<AlertLevel>();
  #acknowledged = new Set<AlertLevel>();

  isActive(level: AlertLevel): boolean {
    return this.#active.has(level);
  }

  isAcknowledged(level: AlertLevel): boolean {
    return this.#acknowledged.has(level);
  }

  get anyActive(): boolean {
    return this.#active.size > 0;
  }

  /** Active levels nobody has acknowledged yet: what a silenceable output still sounds for. */
  get anyUnacknowledged(): boolean {
    for (const level of this.#active) if (!this.#acknowledged.has(level)) return true;
    return false;
  }

  activeLevels(): AlertLevel[] {
    return [...this.#active];
  }

  raise(level: AlertLevel): void {
    this.#active.add(level);
    this.#acknowledged.delete(level);
  }

  clear(level: AlertLevel): void {
    this.#active.delete(level);
    this.#acknowledged.delete(level);
  }

  /** Returns false when there is nothing to acknowledge (not active, or already acknowledged). */
  acknowledge(level: AlertLevel): boolean {
    if (!this.#active.has(level) || this.#acknowledged.has(level)) return false;
    this.#acknowledged.add(level);
    return true;
  }

  /** Bit 0 warning active, bit 1 warning acknowledged, bit 2 critical active, bit 3 critical acknowledged. */
  toFlags(): number {
    let flags = 0;
    LEVEL_BITS.forEach(([level, shift]) => {
      if (this.#active.has(level)) flags |= 1 << shift;
      if (this.#acknowledged.has(level)) flags |= 2 << shift;
    });
    return flags;
  }

  /** Restore from flags, keeping only levels the rule still has (a site edit may have removed one). */
  static fromFlags(flags: number, configuredLevels: readonly AlertLevel[]): RuleAlarmState {
    const state = new RuleAlarmState();
    LEVEL_BITS.forEach(([level, shift]) => {
      if (!configuredLevels.includes(level) || (flags & (1 << shift)) === 0) return;
      state.raise(level);
      if ((flags & (2 << shift)) !== 0) state.acknowledge(level);
    });
    return state;
  }
}

const LEVEL_BITS: ReadonlyArray<[AlertLevel, number]> = [
  ['warning', 0],
  ['critical', 2],
];
