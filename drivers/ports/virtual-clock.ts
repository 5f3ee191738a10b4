import type { Clock, TimerHandle } from './clock.js';
import { TimerHeap, type HeapTimer } from './timer-heap.js';

/**
 * Deterministic time for tests and simulated fleets. Timers fire in due order
 * (ties in scheduling order); between timers the promise queue is drained so
 * async driver code observes time exactly as it would on a real clock.
 *
 * Pending timers live in a binary heap ordered by (due, scheduling order), so
 * schedule, cancel and firing the next timer cost O(log n) whatever the number
 * pending: a fleet of thousands of gateways keeps tens of thousands of timers.
 */
export class VirtualClock implements Clock {
  #now: number;
  readonly #epochMs: number;
  #nextId = 1;
  readonly #timers = new TimerHeap();

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
    // The id doubles as the tie-break: a later schedule fires after every timer due at the same time.
    const timer: HeapTimer = { id: this.#nextId++, due: this.#now + Math.max(0, delayMs), callback, slot: -1 };
    this.#timers.push(timer);
    return timer;
  }

  cancel(handle: TimerHandle): void {
    this.#timers.remove(handle);
  }

  /** Number of timers waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Due time of the next timer, or undefined when none is pending. */
  get nextDueMs(): number | undefined {
    return this.#timers.peek()?.due;
  }

  /** Advance time by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.#now + ms);
  }

  async advanceTo(targetMs: number): Promise<void> {
    await settle();
    for (let timer = this.#timers.popDueBy(targetMs); timer !== undefined; timer = this.#timers.popDueBy(targetMs)) {
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
    for (let timer = this.#timers.popDueBy(stop); timer !== undefined; timer = this.#timers.popDueBy(stop)) {
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
      const next = this.#timers.popDueBy(stop);
      if (next === undefined) {
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
 * (A core without host hooks cannot ask whether the queue is empty, so the
 * number of turns is fixed: fewer would change what a deep chain observes.)
 */
async function settle(): Promise<void> {
  // Awaiting one settled promise takes the same single turn as `await undefined` without wrapping a new one each time.
  for (let i = 0; i < 64; i++) await SETTLED;
}

const SETTLED: Promise<void> = Promise.resolve();
