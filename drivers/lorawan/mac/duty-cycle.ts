/**
 * Transmit-time accounting per sub-band (EU868 ETSI sub-bands, the aggregated
 * limit of DutyCycleReq, the join back-off). Two rules, both enforced:
 *
 *  1. Off-time (ETSI EN 300 220 per-transmission rule, and what LoRaWAN
 *     stacks implement): after a transmission of airtime T in a band with duty
 *     cycle dc, that band stays closed for T × (1/dc − 1).
 *  2. Rolling hour (ETSI's 1-hour observation window): a transmission may
 *     start at t only if the airtime of every earlier transmission that ends
 *     after t + T − 1 h, plus T, fits in dc × 1 h.
 *
 * Rule 1 alone can overshoot a rolling hour by up to one frame when airtimes
 * vary (the last frame's off-time falls outside the window); rule 2 closes
 * that gap and makes "≤ dc × 1 h of airtime in any hour" a guarantee: for any
 * window, take the last transmission touching it — everything else touching
 * the window ended after that transmission's own check window began.
 *
 * Memory: rule 2 keeps the transmissions of the last hour per band (at most
 * a few hundred at 1 %, since rule 1 spaces them).
 */

export interface DutyCycleBand {
  /** Stable key: sub-band name ('g1'), 'aggregate', 'join'. */
  name: string;
  /** Fraction of time (0.01 = 1 %); 1 or more = no limit. */
  dutyCycle: number;
}

interface BandState {
  offUntil: number;
  /** Transmissions whose end is within the last window, oldest first. */
  history: Array<{ endMs: number; airtimeMs: number }>;
}

/** Floating sums of airtimes are compared with this much slack on the safe side. */
const EPSILON_MS = 1e-6;

export class DutyCycleLimiter {
  readonly windowMs: number;
  readonly #bands = new Map<string, BandState>();

  constructor(options: { windowMs?: number } = {}) {
    this.windowMs = options.windowMs ?? 3_600_000;
  }

  /** The earliest time ≥ `now` at which a transmission of `airtimeMs` may start in all `bands`. */
  earliestStart(bands: readonly DutyCycleBand[], airtimeMs: number, now: number): number {
    let t = now;
    // Each band can only push t later, so iterate until no band objects.
    for (let changed = true; changed; ) {
      changed = false;
      for (const band of bands) {
        const next = this.#earliestIn(band, airtimeMs, t);
        if (next > t) {
          t = next;
          changed = true;
        }
      }
    }
    return t;
  }

  /** Book a transmission in every band it counts against. */
  record(bands: readonly DutyCycleBand[], startMs: number, airtimeMs: number): void {
    for (const band of bands) {
      if (band.dutyCycle >= 1) continue;
      const state = this.#state(band.name);
      const endMs = startMs + airtimeMs;
      state.offUntil = Math.max(state.offUntil, endMs + airtimeMs * (1 / band.dutyCycle - 1));
      state.history.push({ endMs, airtimeMs });
      const horizon = endMs - this.windowMs;
      while (state.history.length > 0 && state.history[0].endMs <= horizon) state.history.shift();
    }
  }

  /** Airtime booked in `band` whose transmissions end after `sinceMs` (status pages, tests). */
  airtimeSince(bandName: string, sinceMs: number): number {
    const state = this.#bands.get(bandName);
    return state === undefined ? 0 : state.history.filter((h) => h.endMs > sinceMs).reduce((sum, h) => sum + h.airtimeMs, 0);
  }

  #earliestIn(band: DutyCycleBand, airtimeMs: number, from: number): number {
    if (band.dutyCycle >= 1) return from;
    const budget = band.dutyCycle * this.windowMs - EPSILON_MS;
    if (airtimeMs > budget) return Infinity; // can never be sent in this band
    const state = this.#state(band.name);
    let t = Math.max(from, state.offUntil);
    const history = state.history;
    let first = 0;
    let used = 0;
    for (const h of history) used += h.airtimeMs;
    // Drop, oldest first, what ends at or before t + T − window; move t later until the rest fits.
    for (;;) {
      while (first < history.length && history[first].endMs <= t + airtimeMs - this.windowMs) used -= history[first++].airtimeMs;
      if (first >= history.length || used + airtimeMs <= budget) return t;
      // Start when the oldest one leaves the window, and drop it by index: recomputing
      // (end + W − T) + T − W in floating point can land a hair below `end`, and a
      // comparison would then keep it forever (this loop once spun on exactly that).
      t = Math.max(t, history[first].endMs + this.windowMs - airtimeMs);
      used -= history[first++].airtimeMs;
    }
  }

  #state(name: string): BandState {
    let state = this.#bands.get(name);
    if (state === undefined) {
      state = { offUntil: -Infinity, history: [] };
      this.#bands.set(name, state);
    }
    return state;
  }
}
