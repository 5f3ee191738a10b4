/**
 * Test double of Moddable's `timer` on the shared virtual clock: set (once or
 * repeating), repeat, schedule, clear; the callback gets the timer, as on the
 * device. delay() would block the only thread, so it throws here. Intervals
 * go through the same conversion as on the device (xsmcToInteger: ToInt32), so
 * one past 2^31 − 1 ms wraps negative and fires at once, as modTimer does with
 * a trigger time already passed.
 */
import type { TimerHandle } from '../../../drivers/ports/clock.js';
import { host } from './host.js';

type Callback = (timer: Timer) => void;

export default class Timer {
  #callback: Callback;
  #handle: TimerHandle | undefined;
  #repeat: number | undefined;

  private constructor(callback: Callback) {
    this.#callback = callback;
  }

  static set(callback: Callback, interval = 0, repeat?: number): Timer {
    host.touch();
    const timer = new Timer(callback);
    timer.#arm(interval, repeat);
    return timer;
  }

  static repeat(callback: Callback, interval: number): Timer {
    return Timer.set(callback, interval, interval);
  }

  static schedule(timer: Timer, interval = 0, repeat?: number): void {
    host.touch();
    timer.#disarm();
    timer.#arm(interval, repeat);
  }

  static clear(timer: Timer | undefined | null): void {
    host.touch();
    if (timer !== undefined && timer !== null) timer.#disarm();
  }

  static delay(_ms: number): void {
    throw new Error('Timer.delay blocks the only thread; the firmware must not use it');
  }

  #arm(interval: number, repeat: number | undefined): void {
    host.longestTimerMs = Math.max(host.longestTimerMs, interval);
    this.#repeat = repeat === undefined ? undefined : repeat | 0;
    this.#handle = host.clock.schedule(Math.max(0, interval | 0), () => this.#fire());
  }

  #disarm(): void {
    if (this.#handle !== undefined) host.clock.cancel(this.#handle);
    this.#handle = undefined;
  }

  #fire(): void {
    this.#handle = undefined;
    if (this.#repeat !== undefined) this.#handle = host.clock.schedule(Math.max(1, this.#repeat), () => this.#fire());
    this.#callback(this);
  }
}
