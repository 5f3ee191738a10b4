/**
 * GPIO through the Linux GPIO character device (/dev/gpiochipN), the interface
 * current Raspberry Pi OS kernels support (sysfs GPIO is deprecated, and its
 * numbering moved on newer kernels). `GpioChipAccess` is the small seam: the
 * `gpioset`/`gpiomon` tools of libgpiod implement it today (gpiod-tools.ts,
 * Debian package `gpiod`); a native binding can implement it later, and tests
 * put a recording double behind it.
 *
 * An output is requested with its initial value in the same request (the
 * kernel sets direction and level in one ioctl), so a relay is at its
 * inactive level from the first instant and nothing is written until the
 * gateway asks for a change. Active-low wiring is the line's own flag: the
 * values here are logical (1 = load energised / contact closed).
 */
import type { DigitalInput, DigitalOutput } from '../../../drivers/ports/digital.js';
import { AxonError } from '../../../drivers/errors.js';

export interface GpioLineAddress {
  /** gpiochip0, /dev/gpiochip4 or a chip label such as pinctrl-rp1. */
  chip: string;
  /** Line offset on the chip (the BCM number on a Pi's header chip). */
  offset: number;
  /** The load is energised, or the contact reads closed, at a low level. */
  activeLow: boolean;
  /** Shown by `gpioinfo` as the line's user. */
  consumer: string;
}

export type GpioBias = 'as-is' | 'disable' | 'pull-up' | 'pull-down';

export interface GpioOutputRequest {
  /** Drive the line to `value` (logical). */
  set(value: 0 | 1): void;
  release(): void;
}

export interface GpioInputRequest {
  release(): void;
}

export interface GpioChipAccess {
  /** Request `line` as an output at `initial` (logical) in one request. */
  requestOutput(line: GpioLineAddress, initial: 0 | 1): GpioOutputRequest;
  /**
   * Request `line` as an input with `bias` and watch both edges. `onValue` is
   * called with the level read at the request, then after every edge
   * (logical values). `onError` reports a request that failed or ended.
   */
  requestInput(line: GpioLineAddress, bias: GpioBias, onValue: (value: 0 | 1) => void, onError: (error: Error) => void): GpioInputRequest;
}

export interface GpiodOutputOptions {
  access: GpioChipAccess;
  chip: string;
  offset: number;
  activeLow?: boolean;
  /** For messages: the site output id. */
  name?: string;
}

/** A DigitalOutput on a character-device line: requested inactive, written only on a change. */
export class GpiodOutput implements DigitalOutput {
  readonly #request: GpioOutputRequest;
  readonly #where: string;
  #value: 0 | 1 = 0;
  #closed = false;

  constructor(options: GpiodOutputOptions) {
    this.#where = `${options.name === undefined ? '' : `output ${options.name}, `}${options.chip} line ${options.offset}`;
    this.#request = options.access.requestOutput({ chip: options.chip, offset: options.offset, activeLow: options.activeLow ?? false, consumer: `axon${options.name === undefined ? '' : `:${options.name}`}` }, 0);
  }

  write(value: 0 | 1): void {
    if (this.#closed) throw new AxonError('GPIO_CLOSED', 'write after close', { where: this.#where });
    if (value === this.#value) return;
    this.#value = value;
    this.#request.set(value);
  }

  /** Releases the request; the Pi's GPIO block keeps driving the last level (a held barrier stays held over a restart). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#request.release();
  }
}

export interface GpiodInputOptions {
  access: GpioChipAccess;
  chip: string;
  offset: number;
  /** A dry contact to ground: pull-up and active-low (the defaults), so a closed contact reads 1. */
  bias?: GpioBias;
  activeLow?: boolean;
  /** Ignore changes shorter than this, ms (contact bounce). Default 20. */
  debounceMs?: number;
  name?: string;
  onError?: (error: Error) => void;
  /** Timer functions for the debounce (a test passes its own). */
  timers?: { set(callback: () => void, ms: number): unknown; clear(handle: unknown): void };
}

/** A DigitalInput on a character-device line (a dry contact: door switch, float switch, pump-running relay). */
export class GpiodInput implements DigitalInput {
  onReadable: (() => void) | undefined;
  readonly #request: GpioInputRequest;
  readonly #debounceMs: number;
  readonly #timers: NonNullable<GpiodInputOptions['timers']>;
  #value: 0 | 1 = 0;
  #pending: unknown;

  constructor(options: GpiodInputOptions) {
    this.#debounceMs = options.debounceMs ?? 20;
    this.#timers = options.timers ?? { set: (callback, ms) => setTimeout(callback, ms), clear: (handle) => clearTimeout(handle as NodeJS.Timeout) };
    let first = true;
    this.#request = options.access.requestInput(
      { chip: options.chip, offset: options.offset, activeLow: options.activeLow ?? true, consumer: `axon${options.name === undefined ? '' : `:${options.name}`}` },
      options.bias ?? 'pull-up',
      (value) => {
        if (first) {
          first = false;
          this.#value = value;
          return;
        }
        this.#settle(value);
      },
      (error) => options.onError?.(error),
    );
  }

  read(): 0 | 1 {
    return this.#value;
  }

  close(): void {
    if (this.#pending !== undefined) this.#timers.clear(this.#pending);
    this.#request.release();
  }

  /** A level counts once it has held for debounceMs. */
  #settle(value: 0 | 1): void {
    if (this.#pending !== undefined) this.#timers.clear(this.#pending);
    this.#pending = this.#timers.set(() => {
      this.#pending = undefined;
      if (value === this.#value) return;
      this.#value = value;
      this.onReadable?.();
    }, this.#debounceMs);
  }
}
