/**
 * The only source of time in the core. Hosts back it with real timers (Node's
 * setTimeout, Moddable's Timer); tests and fleet simulations use VirtualClock.
 * Method names avoid `setTimeout` on purpose so a grep for host timers in
 * drivers/ stays meaningful.
 */
export interface Clock {
  /** Monotonic milliseconds (may start anywhere). */
  now(): number;
  /** Wall-clock Unix time in milliseconds, for timestamps that leave the gateway. */
  unixTimeMs(): number;
  /** Run `callback` once after `delayMs`. */
  schedule(delayMs: number, callback: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
}

export type TimerHandle = { readonly id: number };

/** Resolve after `delayMs` of clock time. */
export function sleep(clock: Clock, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    clock.schedule(delayMs, resolve);
  });
}
