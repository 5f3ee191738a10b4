/**
 * Timers of any length on a host whose own timers have a limit. Node's
 * setTimeout and Moddable's Timer both take a signed 32-bit millisecond delay:
 * past 2^31 − 1 ms (24.8 days) Node fires after 1 ms (with a
 * TimeoutOverflowWarning) and Moddable's Timer wraps to a negative delay and
 * fires at once. The core may ask for any delay (an offline watch on a device
 * polled once a day waits 3.5 days), so the hosts' Clock ports schedule
 * through this: a long delay becomes a chain of host timers no longer than
 * the limit, each re-measuring what is left on the monotonic clock, so the
 * callback never fires early and never spins.
 *
 * Both hosts also keep their timers in whole milliseconds and drop the
 * fraction: Node turns a 1.75 ms timeout into a 1 ms timer. A core that
 * waits for a 1.75 ms frame gap would then wake after 1 ms, find the line not
 * yet quiet long enough and sleep again: two wake-ups of the event loop, and
 * a millisecond of bus time lost, per Modbus request (issue 11: a wake-up is
 * most of the CPU a poll costs at 20 polls/s). So a delay is rounded up to the
 * next whole millisecond before it reaches the host.
 *
 * Runtime-neutral: the host passes its timer functions in.
 */
import type { TimerHandle } from './clock.js';

/** The longest delay Node's setTimeout and Moddable's Timer take as given. */
export const HOST_TIMER_LIMIT_MS = 2 ** 31 - 1;

export interface HostTimerFunctions<T> {
  /** Monotonic ms (performance.now(), Time.ticks). */
  now(): number;
  /** Arm a one-shot host timer; `delayMs` is a whole number of ms, never above the limit. */
  set(callback: () => void, delayMs: number): T;
  clear(timer: T): void;
  /** The host's limit, ms (default HOST_TIMER_LIMIT_MS). */
  limitMs?: number;
}

export class ChainedTimers<T> {
  readonly #host: HostTimerFunctions<T>;
  readonly #limitMs: number;
  /** The host timer currently armed for each pending handle. */
  readonly #armed = new Map<number, T>();
  #nextId = 1;

  constructor(host: HostTimerFunctions<T>) {
    this.#host = host;
    this.#limitMs = host.limitMs ?? HOST_TIMER_LIMIT_MS;
  }

  /** Run `callback` once after `delayMs` (NaN or negative: as soon as possible; Infinity: never). */
  schedule(delayMs: number, callback: () => void): TimerHandle {
    const id = this.#nextId++;
    const delay = delayMs > 0 ? delayMs : 0;
    this.#arm(id, this.#host.now() + delay, delay, callback);
    return { id };
  }

  cancel(handle: TimerHandle): void {
    const timer = this.#armed.get(handle.id);
    if (timer === undefined) return;
    this.#host.clear(timer);
    this.#armed.delete(handle.id);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#armed.size;
  }

  cancelAll(): void {
    for (const timer of this.#armed.values()) this.#host.clear(timer);
    this.#armed.clear();
  }

  #arm(id: number, deadline: number, remaining: number, callback: () => void): void {
    if (remaining > this.#limitMs) {
      // One link of the chain; what is left is measured again when it ends, so a link that ends early costs nothing.
      this.#armed.set(id, this.#host.set(() => this.#arm(id, deadline, deadline - this.#host.now(), callback), this.#limitMs));
      return;
    }
    this.#armed.set(
      id,
      this.#host.set(() => {
        this.#armed.delete(id);
        callback();
      }, Math.max(0, Math.ceil(remaining))),
    );
  }
}
