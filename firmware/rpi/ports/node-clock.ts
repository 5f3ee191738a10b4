/**
 * The Clock port on Node: performance.now() for monotonic time (immune to NTP
 * steps, which matter on a Pi that boots without an RTC and syncs later),
 * Date.now() for timestamps that leave the gateway, setTimeout for timers.
 */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../../../drivers/ports/clock.js';

export class NodeClock implements Clock {
  readonly #timers = new Map<number, NodeJS.Timeout>();
  #nextId = 1;

  now(): number {
    return performance.now();
  }

  unixTimeMs(): number {
    return Date.now();
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    const id = this.#nextId++;
    const timer = setTimeout(() => {
      this.#timers.delete(id);
      callback();
    }, Math.max(0, delayMs));
    this.#timers.set(id, timer);
    return { id };
  }

  cancel(handle: TimerHandle): void {
    const timer = this.#timers.get(handle.id);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(handle.id);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Cancel every pending timer (shutdown, so the process can exit). */
  cancelAll(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
