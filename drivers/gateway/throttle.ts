/**
 * At most one run of an action per window of clock time: the first request
 * runs at once (an answer to a downlink should not wait), requests during the
 * window are folded into one run at its end, and none is lost. Used to bound
 * what a flood of downlinks costs: status uplinks (airtime) and saves of the
 * poll-period record (flash wear).
 */
import type { Clock, TimerHandle } from '../ports/clock.js';

export class Throttle {
  readonly #clock: Clock;
  readonly #windowMs: number;
  readonly #action: () => void;
  #lastRunAt: number | undefined;
  #timer: TimerHandle | undefined;
  #pending = false;

  constructor(clock: Clock, windowMs: number, action: () => void) {
    this.#clock = clock;
    this.#windowMs = windowMs;
    this.#action = action;
  }

  /** Run now if the window since the last run has passed, else once when it does. */
  request(): void {
    const now = this.#clock.now();
    if (this.#timer === undefined && (this.#lastRunAt === undefined || now - this.#lastRunAt >= this.#windowMs)) {
      this.#run();
      return;
    }
    this.#pending = true;
    this.#timer ??= this.#clock.schedule((this.#lastRunAt ?? now) + this.#windowMs - now, () => {
      this.#timer = undefined;
      if (this.#pending) this.#run();
    });
  }

  /** Run now what is waiting for the end of the window (on stop). */
  flush(): void {
    this.#cancel();
    if (this.#pending) this.#run();
  }

  /** Forget what is waiting. */
  close(): void {
    this.#cancel();
    this.#pending = false;
  }

  #run(): void {
    this.#pending = false;
    this.#lastRunAt = this.#clock.now();
    this.#action();
  }

  #cancel(): void {
    if (this.#timer !== undefined) this.#clock.cancel(this.#timer);
    this.#timer = undefined;
  }
}
