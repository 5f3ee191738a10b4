/**
 * The Clock port on Node: performance.now() for monotonic time (immune to NTP
 * steps, which matter on a Pi that boots without an RTC and syncs later),
 * Date.now() for timestamps that leave the gateway, setTimeout for timers.
 * setTimeout takes at most 2^31 − 1 ms (past that Node fires after 1 ms with a
 * TimeoutOverflowWarning), so longer delays are chained (ChainedTimers).
 */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../../../drivers/ports/clock.js';
import { ChainedTimers, type HostTimerFunctions } from '../../../drivers/ports/chained-timers.js';

/** Node's timer functions, replaceable so a test can check what the clock asks of them. */
export type NodeTimerFunctions = HostTimerFunctions<NodeJS.Timeout>;

const NODE_TIMERS: NodeTimerFunctions = {
  now: () => performance.now(),
  set: (callback, delayMs) => setTimeout(callback, delayMs),
  clear: (timer) => clearTimeout(timer),
};

export class NodeClock implements Clock {
  readonly #timers: ChainedTimers<NodeJS.Timeout>;
  readonly #now: () => number;

  constructor(timers: NodeTimerFunctions = NODE_TIMERS) {
    this.#timers = new ChainedTimers(timers);
    this.#now = timers.now;
  }

  now(): number {
    return this.#now();
  }

  unixTimeMs(): number {
    return Date.now();
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    return this.#timers.schedule(delayMs, callback);
  }

  cancel(handle: TimerHandle): void {
    this.#timers.cancel(handle);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.pending;
  }

  /** Cancel every pending timer (shutdown, so the process can exit). */
  cancelAll(): void {
    this.#timers.cancelAll();
  }
}
