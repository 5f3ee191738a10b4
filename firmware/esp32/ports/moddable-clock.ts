/**
 * The core's Clock on Moddable: Time.ticks made monotonic across its 32-bit
 * sign flip and wrap (MonotonicTicks), and Timer. Timer
 * takes its delay as a signed 32-bit integer (a longer one wraps negative and
 * fires at once), so delays past 2^31 − 1 ms are chained (ChainedTimers).
 */
import Timer from 'timer';
import type { Clock, TimerHandle } from '../../../drivers/ports/clock.js';
import { ChainedTimers } from '../../../drivers/ports/chained-timers.js';
import { MonotonicTicks } from './monotonic-ticks.js';
import { wallClockMs } from './wall-clock.js';

export class ModdableClock implements Clock {
  readonly #ticks = new MonotonicTicks();
  readonly #timers = new ChainedTimers<Timer>({
    now: () => this.#ticks.now(),
    // Moddable's Timer takes whole milliseconds; rounding up keeps a timer from firing early.
    set: (callback, delayMs) => Timer.set(() => callback(), Math.ceil(delayMs)),
    clear: (timer) => Timer.clear(timer),
  });

  now(): number {
    return this.#ticks.now();
  }

  /** Wall time: set by SNTP or LoRaWAN DeviceTime before timestamps leave the gateway. */
  unixTimeMs(): number {
    return wallClockMs();
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    return this.#timers.schedule(delayMs, callback);
  }

  cancel(handle: TimerHandle): void {
    this.#timers.cancel(handle);
  }
}
