/** What flows through the gateway pipeline: valid samples and alert events. */
import type { AlertLevel } from '../rules/config.js';

/** One valid reading of one point. Invalid readings never become samples. */
export interface Sample {
  /** Site device id. */
  device: string;
  point: string;
  /** Unix time, ms, from the clock port. */
  t: number;
  value: number | boolean;
}

export type AlertState = 'raised' | 'cleared' | 'acknowledged';

export interface AlertEvent {
  /** Rule id. */
  rule: string;
  device: string;
  point?: string;
  level: AlertLevel;
  state: AlertState;
  /** Unix time, ms. */
  t: number;
  /** The value that triggered or cleared it. */
  value?: number | boolean;
  message: string;
}
