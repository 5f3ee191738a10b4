/**
 * DigitalInput on Moddable's ECMA-419 `embedded:io/digital`, with a rising
 * edge reported through onReadable (the radio's IRQ line wakes its driver at
 * once; BUSY is only read).
 */
import Digital from 'embedded:io/digital';
import type { DigitalInput } from '../../../drivers/ports/digital.js';

export class ModdableDigitalInput implements DigitalInput {
  onReadable: (() => void) | undefined;
  readonly #pin: Digital;

  constructor(options: { pin: number; edges?: boolean }) {
    const settings = options.edges === true
      ? { pin: options.pin, mode: Digital.Input, edge: Digital.Rising, onReadable: () => this.onReadable?.() }
      : { pin: options.pin, mode: Digital.Input };
    this.#pin = new Digital(settings);
  }

  read(): 0 | 1 {
    return this.#pin.read() === 1 ? 1 : 0;
  }

  close(): void {
    this.onReadable = undefined;
    this.#pin.close();
  }
}
