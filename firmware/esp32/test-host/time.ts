/**
 * Test double of Moddable's `time`: ticks is the virtual clock's monotonic
 * ms; set(seconds) sets the wall clock that Date.now() reads (the harness
 * points Date.now at host.wallNow()), as Time.set does on the ESP32.
 */
import { host } from './host.js';

const Time = {
  timezone: 0,
  dst: 0,
  get ticks(): number {
    host.touch();
    return host.clock.now();
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
