/**
 * Alert rule configuration as written in site files (DESIGN.md §7 defaults).
 * Every rule names a site device and, except `offline`, one of its points.
 */
export type AlertLevel = 'warning' | 'critical';

interface RuleBase {
  /** Unique within the site; alert events carry it. */
  id: string;
  /** Site device id. */
  device: string;
  /** Human text for the alert (defaults to one built from the rule). */
  message?: string;
  /** Local action while the alert is raised: drive a site output. */
  action?: RuleAction;
  /** Optional (added for site overrides): a disabled rule is ignored, so a site can switch off a default rule by id. */
  disabled?: boolean;
}

/**
 * Drive a site output from a rule. `on` (default) holds the output at 1 while any
 * level of the rule is raised; `pulse` sets it for `pulseMs` (default 1000) on each raise.
 */
export interface RuleAction {
  output: string;
  mode?: 'on' | 'pulse';
  pulseMs?: number;
  /**
   * Optional (added): an acknowledged alarm releases the output while it stays active.
   * Default true for `pulse` mode and for outputs of kind `buzzer`, false otherwise
   * (a relay closing a barrier or starting a pump must not drop on an acknowledge).
   */
  silenceOnAck?: boolean;
}

/** Fixed thresholds: a level is raised when the value crosses `above`/`below` and cleared past the hysteresis band. */
export interface ThresholdRule extends RuleBase {
  kind: 'threshold';
  point: string;
  levels: Array<{ level: AlertLevel; above?: number; below?: number }>;
  /** Clear only when the value is back by this much beyond the threshold (engineering units). */
  hysteresis?: number;
  /** Raise only after this many consecutive samples beyond the threshold (default 1). */
  debounceSamples?: number;
  /** …or after the condition has held this long, seconds. */
  debounceS?: number;
}

/** Rate of rise: value increase per minute over a sliding window (heat detectors, flash floods). */
export interface RateOfRiseRule extends RuleBase {
  kind: 'rate-of-rise';
  point: string;
  perMinute: number;
  windowS: number;
  level: AlertLevel;
  /** Optional (added): a raised alert clears once the rate falls below this (default perMinute / 2). */
  clearPerMinute?: number;
}

/** A boolean point in its alarm state (smoke): raised at once, never batched. */
export interface BooleanRule extends RuleBase {
  kind: 'boolean';
  point: string;
  level: AlertLevel;
  /** The value that means alarm (default true). */
  when?: boolean;
}

/** No valid reading for `periods` poll periods (default 3). */
export interface OfflineRule extends RuleBase {
  kind: 'offline';
  periods?: number;
  level: AlertLevel;
}

export type AlertRuleConfig = ThresholdRule | RateOfRiseRule | BooleanRule | OfflineRule;
