/**
 * Wall time on the device: Date.now(), which Time.set() moves. One function,
 * so a host that cannot replace Date.now (Moddable freezes built-ins) can
 * stand in for it (test-host/wall-clock.ts).
 */
export function wallClockMs(): number {
  return Date.now();
}
