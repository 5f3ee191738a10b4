/**
 * Monotonic milliseconds from Moddable's Time.ticks. On the ESP32, ticks is a
 * 32-bit millisecond count held in a signed 32-bit integer: it goes negative
 * after 2^31 ms (24.8 days) and wraps after 2^32 ms (49.7 days). Here each
 * reading adds the unsigned 32-bit step since the previous one, so the result
 * only grows, as long as readings are less than 49.7 days apart (the
 * gateway's timers read it far more often; ChainedTimers never waits longer
 * than 2^31 − 1 ms).
 */
import Time from 'time';

export class MonotonicTicks {
  #last: number;
  #elapsed = 0;

  constructor() {
    this.#last = Time.ticks;
  }

  now(): number {
    const ticks = Time.ticks;
    // (a − b) >>> 0: the step modulo 2^32, right across the sign flip and the wrap.
    this.#elapsed += (ticks - this.#last) >>> 0;
    this.#last = ticks;
    return this.#elapsed;
  }
}
