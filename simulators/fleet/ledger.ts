/**
 * Readings of one device in flight: taken and not yet decoded. A decode that
 * finds its reading here counts it; one that does not is a repeat. Memory is
 * what is in flight, not what was ever sent, and nothing is allocated per
 * reading: readings are counted per time step (one small array of counts,
 * one per channel of the device's table, for every step with readings in
 * flight), so a poll's readings share one entry.
 *
 * Counts, not flags: a channel polled faster than the step has several
 * readings in one step, which the encoder keeps apart with a finer step
 * (drivers/batch/stamps.ts); a finer step's stamp falls in the same
 * configured step as the reading.
 */
export class ReadingLedger {
  decoded = 0;
  repeated = 0;
  /** Step index → readings in flight per channel, and their total in the last slot. */
  readonly #inFlight = new Map<number, Uint16Array>();
  readonly #channels: number;
  readonly #stepMs: number;

  /** `channels`: the size of the device's channel table; `stepMs`: the encoder's configured time step. */
  constructor(channels: number, stepMs: number) {
    this.#channels = channels;
    this.#stepMs = stepMs;
  }

  /** A reading of `channel` taken at `tMs` (Unix ms) is on its way. */
  add(tMs: number, channel: number): void {
    if (!(channel >= 0 && channel < this.#channels)) throw new RangeError(`channel ${channel} is not in the device's table of ${this.#channels}`);
    const step = Math.floor(tMs / this.#stepMs);
    let counts = this.#inFlight.get(step);
    if (counts === undefined) this.#inFlight.set(step, (counts = new Uint16Array(this.#channels + 1)));
    counts[channel]++;
    counts[this.#channels]++;
  }

  /** A decoded reading: true (and counted) when it was in flight, false (a repeat) when not. */
  take(tMs: number, channel: number): boolean {
    const step = Math.floor(tMs / this.#stepMs);
    const counts = this.#inFlight.get(step);
    if (counts === undefined || !(channel >= 0 && channel < this.#channels) || counts[channel] === 0) {
      this.repeated++;
      return false;
    }
    counts[channel]--;
    if (--counts[this.#channels] === 0) this.#inFlight.delete(step);
    this.decoded++;
    return true;
  }
}
