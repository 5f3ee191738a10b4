/**
 * DigitalOutput (relay, buzzer, LED) on Moddable's ECMA-419 `embedded:io/digital`.
 * The pin is created at its inactive level: `activeLow` makes the SDK invert
 * every level and `initialValue: 0` (off) is driven when the pin is
 * configured, so an active-low relay never switches on at boot, as it did
 * when the pin was created (driving low) and written afterwards.
 */
import Digital from 'embedded:io/digital';
import type { DigitalOutput } from '../../../drivers/ports/digital.js';

export class ModdableDigitalOutput implements DigitalOutput {
  readonly #pin: Digital;

  constructor(options: { pin: number; activeLow?: boolean }) {
    // activeLow and initialValue: Moddable's digital.js takes both (SDK 8.x); @moddable/typings 5.6 does not list them yet.
    const settings = { pin: options.pin, mode: Digital.Output, activeLow: options.activeLow ?? false, initialValue: 0 };
    this.#pin = new Digital(settings);
  }

  write(value: 0 | 1): void {
    this.#pin.write(value);
  }

  close(): void {
    this.#pin.close();
  }
}
