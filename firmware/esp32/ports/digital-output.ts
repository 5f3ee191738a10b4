/** DigitalOutput (relay, buzzer, LED) on Moddable's ECMA-419 `embedded:io/digital`. */
import Digital from 'embedded:io/digital';
import type { DigitalOutput } from '../../../drivers/ports/digital.js';

export class ModdableDigitalOutput implements DigitalOutput {
  readonly #pin: Digital;

  constructor(options: { pin: number; activeLow?: boolean }) {
    this.#pin = new Digital({ pin: options.pin, mode: Digital.Output });
    this.#activeLow = options.activeLow ?? false;
    this.write(0);
  }

  readonly #activeLow: boolean;

  write(value: 0 | 1): void {
    this.#pin.write(this.#activeLow ? (value === 1 ? 0 : 1) : value);
  }

  close(): void {
    this.#pin.close();
  }
}
