/** The core's Clock on Moddable: Time.ticks (monotonic ms) and Timer. */
import Time from 'time';
import Timer from 'timer';
import type { Clock, TimerHandle } from '../../../drivers/ports/clock.js';

export class ModdableClock implements Clock {
  readonly #timers = new Map<number, Timer>();
  #nextId = 1;

  now(): number {
    return Time.ticks;
  }

  /** Wall time: set by SNTP or LoRaWAN DeviceTime before timestamps leave the gateway. */
  unixTimeMs(): number {
    return Date.now();
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    const id = this.#nextId++;
    const timer = Timer.set(() => {
      this.#timers.delete(id);
      callback();
    }, Math.max(0, Math.ceil(delayMs)));
    this.#timers.set(id, timer);
    return { id };
  }

  cancel(handle: TimerHandle): void {
    const timer = this.#timers.get(handle.id);
    if (timer === undefined) return;
    Timer.clear(timer);
    this.#timers.delete(handle.id);
  }
}
