/**
 * The digital lines between a simulated transceiver and its host: an output
 * of the chip (BUSY, DIO1, DIO0) the host reads, and an input of the chip
 * (NRESET) the host drives. They implement the digital ports, so a driver
 * gets them exactly where a host would give it GPIOs.
 */
import type { DigitalInput, DigitalOutput } from '../../drivers/ports/digital.js';

/** A chip output as the host sees it: the level comes from the chip, a rising edge calls onReadable. */
export class ChipOutputLine implements DigitalInput {
  onReadable: (() => void) | undefined;
  readonly #level: () => 0 | 1;
  #last: 0 | 1;
  #closed = false;

  constructor(level: () => 0 | 1) {
    this.#level = level;
    this.#last = level();
  }

  read(): 0 | 1 {
    return this.#level();
  }

  /** The chip changed something that drives this line: report a rising edge. */
  update(): void {
    const level = this.#level();
    const rose = level === 1 && this.#last === 0;
    this.#last = level;
    if (rose && !this.#closed) this.onReadable?.();
  }

  close(): void {
    this.#closed = true;
    this.onReadable = undefined;
  }
}

/** A chip input the host drives (NRESET): every level, with the chip reacting to it. */
export class ChipInputLine implements DigitalOutput {
  readonly writes: Array<0 | 1> = [];
  readonly #onLevel: (level: 0 | 1) => void;

  constructor(onLevel: (level: 0 | 1) => void) {
    this.#onLevel = onLevel;
  }

  write(value: 0 | 1): void {
    this.writes.push(value);
    this.#onLevel(value);
  }

  close(): void {}
}
