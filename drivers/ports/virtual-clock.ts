import type { Clock, TimerHandle } from './clock.js';

interface PendingTimer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

/**
 * Deterministic time for tests and simulated fleets. Timers fire in due order
 * (ties in scheduling order); between timers the promise queue is drained so
 * async driver code observes time exactly as it would on a real clock.
 */
export class VirtualClock implements Clock {
  #now: number;
  readonly #epochMs: number;
  #nextId = 1;
  #timers: PendingTimer[] = [];

  constructor(options: { startMs?: number; unixEpochMs?: number } = {}) {
    this.#now = options.startMs ?? 0;
    this.#epochMs = options.unixEpochMs ?? Date.UTC(2026, 0, 1);
  }

  now(): number {
    return this.#now;
  }

  unixTimeMs(): number {
    return this.#epochMs + this.#now;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    const timer: PendingTimer = {
      id: this.#nextId++,
      due: this.#now + Math.max(0, delayMs),
      callback,
    };
    // Keep sorted by due time, ties in scheduling order: a new timer goes after
    // every timer due at the same time or earlier. Binary search for the first
    // one due later (a gateway keeps a dozen long timers pending, and a
    // scan from the end walked past all of them on every schedule).
    const timers = this.#timers;
    let lo = 0;
    let hi = timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (timers[mid].due > timer.due) hi = mid;
      else lo = mid + 1;
    }
    timers.splice(lo, 0, timer);
    return { id: timer.id };
  }

  cancel(handle: TimerHandle): void {
    const timers = this.#timers;
    for (let i = 0; i < timers.length; i++) {
      if (timers[i].id === handle.id) {
        timers.splice(i, 1);
        return;
      }
    }
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Advance time by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.#now + ms);
  }

  async advanceTo(targetMs: number): Promise<void> {
    await settle();
    while (this.#timers.length > 0 && this.#timers[0].due <= targetMs) {
      const timer = this.#timers.shift() as PendingTimer;
      this.#now = timer.due;
      timer.callback();
      await settle();
    }
    if (targetMs > this.#now) this.#now = targetMs;
  }

  /** Fire timers until none are left or `limitMs` of virtual time has passed. */
  async runUntilIdle(limitMs = 24 * 3600 * 1000): Promise<void> {
    const stop = this.#now + limitMs;
    await settle();
    while (this.#timers.length > 0 && this.#timers[0].due <= stop) {
      const timer = this.#timers.shift() as PendingTimer;
      this.#now = timer.due;
      timer.callback();
      await settle();
    }
  }

  /** Run until `done` settles, advancing time only when nothing else can happen. */
  async run<T>(done: Promise<T>, limitMs = 24 * 3600 * 1000): Promise<T> {
    let finished = false;
    const result = done.finally(() => {
      finished = true;
    });
    const stop = this.#now + limitMs;
    await settle();
    while (!finished) {
      const next = this.#timers.shift();
      if (next === undefined || next.due > stop) {
        throw new Error(`VirtualClock.run: nothing left to fire after ${this.#now} ms and the awaited work has not finished`);
      }
      this.#now = next.due;
      next.callback();
      await settle();
    }
    return result;
  }
}

/**
 * Let promise continuations run. Chains in the core are shallow; 64 turns of the
 * microtask queue is far more than any of them needs, and costs microseconds.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 64; i++) await undefined;
}
