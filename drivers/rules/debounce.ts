/**
 * A condition must hold for `samples` consecutive samples and, when `durationMs` > 0,
 * for that long since its first sample, before it counts. One missed sample starts over:
 * that is what keeps a single spike (a splash on a level sensor) from raising an alarm.
 */
export class Debounce {
  readonly #samples: number;
  readonly #durationMs: number;
  #count = 0;
  #since = 0;

  constructor(samples: number, durationMs: number) {
    this.#samples = Math.max(1, Math.floor(samples));
    this.#durationMs = Math.max(0, durationMs);
  }

  /** Feed one sample's verdict; true when the condition has now held long enough. */
  update(holds: boolean, t: number): boolean {
    if (!holds) {
      this.#count = 0;
      return false;
    }
    if (this.#count === 0) this.#since = t;
    this.#count++;
    return this.#count >= this.#samples && t - this.#since >= this.#durationMs;
  }

  reset(): void {
    this.#count = 0;
  }
}
