import type { Clock, TimerHandle } from '../ports/clock.js';
import type { AlertLevel, OfflineRule } from './config.js';

export const DEFAULT_OFFLINE_PERIODS = 3;

/**
 * Liveness of one device for an offline rule, measured on the clock port (monotonic
 * time), not on sample timestamps: a device that returns nothing has no timestamps.
 *
 * The device is overdue once clock.now() − last valid reading ≥ periods × poll period.
 * Poll outcomes (a failed read, a poll with no valid reading) check that exactly. A
 * watchdog timer covers a poller that stopped calling at all; it fires half a period
 * after the deadline so that a poll due right at the deadline gets its say first.
 * The poll period is asked for each time, so adaptive polling moves the deadline.
 * A deadline that moves earlier (a shorter period: adaptive polling, a downlink)
 * re-arms the watchdog at once: a schedule that stops right after a period was
 * shortened is overdue by the new period, not by the old one.
 */
export class OfflineWatch {
  readonly rule: OfflineRule;
  readonly #clock: Clock;
  readonly #pollPeriodMs: () => number;
  readonly #onWatchdog: () => void;
  #lastValidAt: number;
  #timer: TimerHandle | undefined;
  /** Clock time the armed timer was set for. */
  #armedFor = Infinity;
  /** When the poll period last changed: the device gets the full new allowance from then, as it does after boot. */
  #periodChangedAt = -Infinity;

  constructor(rule: OfflineRule, clock: Clock, pollPeriodMs: () => number, onWatchdog: () => void) {
    this.rule = rule;
    this.#clock = clock;
    this.#pollPeriodMs = pollPeriodMs;
    this.#onWatchdog = onWatchdog;
    // A device gets the full allowance after boot before it can be called silent.
    this.#lastValidAt = clock.now();
  }

  get levels(): AlertLevel[] {
    return [this.rule.level];
  }

  get allowanceMs(): number {
    return (this.rule.periods ?? DEFAULT_OFFLINE_PERIODS) * this.#period();
  }

  /** Milliseconds since the last valid reading (or since start, or since the poll period changed). */
  silentMs(): number {
    return this.#clock.now() - this.#silentSince();
  }

  isOverdue(): boolean {
    return this.silentMs() >= this.allowanceMs;
  }

  /** A valid reading arrived: the allowance starts again. */
  onValidReading(): void {
    this.#lastValidAt = this.#clock.now();
    if (this.#timer === undefined || this.#due() < this.#armedFor) this.arm();
  }

  /**
   * The poll period changed (a downlink): the device gets the full allowance of the new period from now,
   * and an armed watchdog moves to an earlier deadline now (a later one it finds when it fires).
   */
  onPeriodChanged(): void {
    this.#periodChangedAt = this.#clock.now();
    if (this.#timer !== undefined && this.#due() < this.#armedFor) this.arm();
  }

  /** Start (or restart) the watchdog; it stays disarmed after it reports, until the next valid reading. */
  arm(): void {
    if (this.#timer !== undefined) this.#clock.cancel(this.#timer);
    const due = this.#due();
    this.#armedFor = due;
    this.#timer = this.#clock.schedule(Math.max(0, due - this.#clock.now()), () => this.#fire());
  }

  /** Polling (re)starts now: the device gets the full allowance from here, as after boot. */
  restart(): void {
    this.#lastValidAt = this.#clock.now();
    this.arm();
  }

  close(): void {
    if (this.#timer !== undefined) this.#clock.cancel(this.#timer);
    this.#timer = undefined;
  }

  #fire(): void {
    this.#timer = undefined;
    if (this.#clock.now() >= this.#due()) this.#onWatchdog();
    else this.arm();
  }

  /** When the watchdog reports: half a period after the deadline. */
  #due(): number {
    return this.#silentSince() + this.allowanceMs + this.#period() / 2;
  }

  #silentSince(): number {
    return Math.max(this.#lastValidAt, this.#periodChangedAt);
  }

  #period(): number {
    const period = this.#pollPeriodMs();
    // A bad period from the host must not turn into a tight timer loop or a NaN deadline.
    return Number.isFinite(period) && period > 0 ? period : 1000;
  }
}
