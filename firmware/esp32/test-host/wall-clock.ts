/** Stand-in for ports/wall-clock.ts: the board's wall clock on the virtual clock, 1970 until Time.set(). */
import { host } from './host.js';

export function wallClockMs(): number {
  return host.wallNow();
}
