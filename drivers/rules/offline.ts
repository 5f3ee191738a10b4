import type { Clock, TimerHandle } from '../ports/clock.js';
import type { AlertLevel, OfflineRule } from './config.js';

export const DEFAULT_OFFLINE_PERIODS = 3;

/**
 * Liveness of one device for an offline rule, measured on the clock port (monotonic
 * time), not on sample timestamps: a device that returns nothing has no timestamps.
 *
 * The device is overdue once clock.now() − last valid reading ≥ periods × poll period.
 * Poll outcomes (a failed read, a poll with no valid reading) check that exactly. A
 * watchdog (OfflineWatchdog, one timer for all the watches of an engine) covers a
 * poller that stopped calling at all; it reports half a period after the deadline so
 * that a poll due right at the deadline gets its say first. The poll period is asked
 * for each time, so adaptive polling moves the deadline. A deadline that moves
 * earlier (a shorter period: adaptive polling, a downlink) re-arms the watchdog at
 * once: a schedule that stops right after a period was shortened is overdue by the
 * new period, not by the old one.
 */
export class OfflineWatch {
  readonly rule: OfflineRule;
  readonly #clock: Clock;
  readonly #watchdog: OfflineWatchdog;
  readonly #pollPeriodMs: () => number;
  readonly #onWatchdog: () => void;
  #lastValidAt: number;
  /** When the poll period last changed: the device gets the full new allowance from then, as it does after boot. */
  #periodChangedAt = -Infinity;

  constructor(rule: OfflineRule, watchdog: OfflineWatchdog, pollPeriodMs: () => number, onWatchdog: () => void) {
    this.rule = rule;
    this.#clock = watchdog.clock;
    this.#watchdog = watchdog;
    this.#pollPeriodMs = pollPeriodMs;
    this.#onWatchdog = onWatchdog;
    // A device gets the full allowance after boot before it can be called silent.
    this.#lastValidAt = this.#clock.now();
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

  /** A valid reading arrived: the allowance starts again (and the watchdog watches again, if it had reported). */
  onValidReading(): void {
    this.#lastValidAt = this.#clock.now();
    this.#watchdog.watch(this);
  }

  /**
   * The poll period changed (a downlink): the device gets the full allowance of the new period from now,
   * and a watchdog armed for later moves to the earlier deadline now.
   */
  onPeriodChanged(): void {
    this.#periodChangedAt = this.#clock.now();
    if (this.#watchdog.watches(this)) this.#watchdog.watch(this);
  }

  /** Start (or restart) the watchdog; it stays disarmed after it reports, until the next valid reading. */
  arm(): void {
    this.#watchdog.watch(this);
  }

  /** Polling (re)starts now: the device gets the full allowance from here, as after boot. */
  restart(): void {
    this.#lastValidAt = this.#clock.now();
    this.arm();
  }

  close(): void {
    this.#watchdog.unwatch(this);
  }

  /** Clock time the watchdog reports at: half a period after the deadline. */
  reportAt(): number {
    return this.#silentSince() + this.allowanceMs + this.#period() / 2;
  }

  /** Called by the watchdog once reportAt() has come. */
  expired(): void {
    this.#onWatchdog();
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

/**
 * One clock timer for every offline watch of an engine, armed for the earliest
 * report time. A valid reading only moves a device's report time later, so it
 * touches no timer: the watchdog wakes at the report time it armed for, looks at
 * every watch's report time as it is then, reports the ones that have come and
 * sleeps until the earliest of the rest. A site whose devices all answer wakes it
 * about once per allowance, not once per device per allowance: with a timer per
 * watch, 200 devices polled every second woke the gateway's event loop 57 times a
 * second for nothing (issue 11), each wake-up costing about what a poll costs.
 */
export class OfflineWatchdog {
  readonly clock: Clock;
  readonly #watching = new Set<OfflineWatch>();
  #timer: TimerHandle | undefined;
  /** Clock time the timer is armed for (Infinity: not armed). */
  #armedFor = Infinity;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Watch `watch` (again), waking no later than its report time. */
  watch(watch: OfflineWatch): void {
    this.#watching.add(watch);
    this.#wakeBy(watch.reportAt());
  }

  watches(watch: OfflineWatch): boolean {
    return this.#watching.has(watch);
  }

  unwatch(watch: OfflineWatch): void {
    this.#watching.delete(watch);
    if (this.#watching.size === 0) this.#disarm();
  }

  #wakeBy(time: number): void {
    if (time >= this.#armedFor) return;
    this.#disarm();
    this.#armedFor = time;
    this.#timer = this.clock.schedule(Math.max(0, time - this.clock.now()), () => this.#wake());
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.clock.cancel(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  #wake(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = this.clock.now();
    const due: OfflineWatch[] = [];
    let next = Infinity;
    for (const watch of this.#watching) {
      const at = watch.reportAt();
      if (now >= at) due.push(watch);
      else next = Math.min(next, at);
    }
    // Reported watches stay quiet until their device answers again (onValidReading watches them again).
    for (const watch of due) this.#watching.delete(watch);
    if (next !== Infinity) this.#wakeBy(next);
    for (const watch of due) watch.expired();
  }
}
