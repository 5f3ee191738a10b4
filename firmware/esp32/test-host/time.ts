/**
 * Test double of Moddable's `time`. ticks is what the ESP32 gives: whole
 * milliseconds since boot in a signed 32-bit integer, so it goes negative
 * after 2^31 ms (24.8 days) and wraps after 2^32 ms (49.7 days); a test can
 * start it near either (host.ticksAtBootMs). set(seconds) sets the wall clock that Date.now() reads (the harness
 * points Date.now at host.wallNow()), as Time.set does on the ESP32.
 */
import { host } from './host.js';

const Time = {
  timezone: 0,
  dst: 0,
  get ticks(): number {
    host.touch();
    return host.ticks();
  },
  set(seconds: number): void {
    host.touch();
    host.wallOffsetMs = seconds * 1000 - host.clock.now();
  },
  delta(start: number, end?: number): number {
    return (end ?? host.clock.now()) - start;
  },
};

export default Time;
