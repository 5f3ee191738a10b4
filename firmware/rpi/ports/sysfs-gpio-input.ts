/**
 * The DigitalInput port on a Raspberry Pi GPIO line through sysfs, the same
 * interface as SysfsGpioOutput: export the line, make it an input, read
 * `value`. No edge detection: `onReadable` is never called, and drivers that
 * wait for a line (the radios' IRQ) fall back on their own deadlines and
 * polling. The radio host module opens lines through this one place, so a
 * libgpiod-backed port replaces it there.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AxonError } from '../../../drivers/errors.js';
import type { DigitalInput } from '../../../drivers/ports/digital.js';

export interface SysfsGpioInputOptions {
  gpio: number;
  /** Default /sys/class/gpio. */
  gpioRoot?: string;
  /** For messages, e.g. "radio BUSY". */
  name?: string;
}

export class SysfsGpioInput implements DigitalInput {
  onReadable: (() => void) | undefined;
  readonly #valueFile: string;
  readonly #where: string;
  #closed = false;

  constructor(options: SysfsGpioInputOptions) {
    const root = options.gpioRoot ?? '/sys/class/gpio';
    const line = path.join(root, `gpio${options.gpio}`);
    this.#where = `${options.name === undefined ? '' : `${options.name}, `}GPIO ${options.gpio} (${line})`;
    this.#valueFile = path.join(line, 'value');
    try {
      if (!existsSync(line)) writeFileSync(path.join(root, 'export'), String(options.gpio));
      writeFileSync(path.join(line, 'direction'), 'in');
    } catch (error) {
      throw new AxonError('GPIO_INPUT', `cannot make GPIO ${options.gpio} an input: ${(error as Error).message}`, {
        where: this.#where,
        fix: 'check the GPIO number (sysfs numbering, as for outputs) and that the gateway user is in the gpio group',
        cause: error,
      });
    }
  }

  read(): 0 | 1 {
    if (this.#closed) throw new AxonError('GPIO_CLOSED', 'read after close', { where: this.#where });
    return readFileSync(this.#valueFile, 'utf8').trim() === '1' ? 1 : 0;
  }

  close(): void {
    this.#closed = true;
    this.onReadable = undefined;
  }
}
