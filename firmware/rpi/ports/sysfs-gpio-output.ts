/**
 * The DigitalOutput port on a Raspberry Pi GPIO line through the kernel's
 * sysfs interface (/sys/class/gpio): export the line, set it as an output at
 * its inactive level in the same write ("low"/"high" sets direction and value
 * at once, so a relay never blips on at boot), then write 0/1 to `value`.
 * sysfs needs no native addon, so it works with any Node on any Pi OS;
 * `gpioRoot` lets a test point it at a directory of its own.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DigitalOutput } from '../../../drivers/ports/digital.js';
import { AxonError } from '../../../drivers/errors.js';

export interface SysfsGpioOutputOptions {
  /** Line number as sysfs numbers it. */
  gpio: number;
  /** The load is energised on a low level. Default false. */
  activeLow?: boolean;
  /** Default /sys/class/gpio. */
  gpioRoot?: string;
  /** For messages: the site output id. */
  name?: string;
}

/**
 * The fix when `root` has no sysfs GPIO tree (or no export file): the kernel or
 * the container lacks it, which no GPIO number can change.
 */
export function noSysfsGpioFix(root: string, customRoot: boolean): string {
  return customRoot
    ? `check gpioRoot in the host config: ${root} must be the kernel's sysfs GPIO directory (with export and gpiochip* in it), normally /sys/class/gpio`
    : `this kernel or container has no sysfs GPIO at ${root}: on a Raspberry Pi use Raspberry Pi OS (its kernels include CONFIG_GPIO_SYSFS); in a container, mount /sys from the host; or set gpioRoot in the host config to where the tree is`;
}

/** Something to Atomics.wait on: a synchronous pause in a constructor that runs once per output at start-up. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

export class SysfsGpioOutput implements DigitalOutput {
  readonly #valueFile: string;
  readonly #activeLow: boolean;
  readonly #where: string;
  readonly #root: string;
  readonly #customRoot: boolean;
  #closed = false;

  constructor(options: SysfsGpioOutputOptions) {
    const root = options.gpioRoot ?? '/sys/class/gpio';
    this.#root = root;
    this.#customRoot = options.gpioRoot !== undefined;
    const line = path.join(root, `gpio${options.gpio}`);
    this.#where = `${options.name === undefined ? '' : `output ${options.name}, `}GPIO ${options.gpio} (${line})`;
    this.#activeLow = options.activeLow ?? false;
    this.#valueFile = path.join(line, 'value');
    const exported = !existsSync(line);
    if (exported) this.#write(path.join(root, 'export'), String(options.gpio), 'export it');
    // Direction and the inactive level in one write: never energise the load while setting up.
    // Right after an export, udev takes a moment to create the line and hand it to the gpio group.
    for (let attempt = 0; ; attempt++) {
      try {
        this.#write(path.join(line, 'direction'), this.#activeLow ? 'high' : 'low', 'make it an output');
        break;
      } catch (error) {
        if (!exported || attempt >= 20) throw error;
        Atomics.wait(PAUSE, 0, 0, 50);
      }
    }
  }

  write(value: 0 | 1): void {
    if (this.#closed) throw new AxonError('GPIO_CLOSED', 'write after close', { where: this.#where });
    const level = this.#activeLow ? 1 - value : value;
    this.#write(this.#valueFile, String(level), `set it to ${value === 1 ? 'on' : 'off'}`);
  }

  /** Leaves the line exported at its last level: a relay holding a barrier closed must not drop when the gateway restarts. */
  close(): void {
    this.#closed = true;
  }

  #write(file: string, text: string, what: string): void {
    try {
      writeFileSync(file, text);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const fix =
        code === 'EACCES' || code === 'EPERM'
          ? 'add the gateway user to the gpio group (`sudo usermod -aG gpio $USER`) and log in again'
          : code === 'ENOENT' && !existsSync(path.join(this.#root, 'export'))
            ? noSysfsGpioFix(this.#root, this.#customRoot)
            : code === 'ENOENT'
            ? 'check the GPIO number: on recent Raspberry Pi OS kernels it is the chip base + the BCM number (`sudo cat /sys/kernel/debug/gpio`)'
            : code === 'EBUSY' || code === 'EINVAL'
              ? 'another driver or program owns this line (1-Wire, SPI, a HAT overlay?): pick a free GPIO or free it in /boot/firmware/config.txt'
              : 'check the GPIO number and that sysfs GPIO is available';
      throw new AxonError('GPIO_WRITE', `cannot ${what}: ${(error as Error).message}`, { where: this.#where, fix, cause: error });
    }
  }
}
