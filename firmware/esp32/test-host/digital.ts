/**
 * Test double of Moddable's ECMA-419 `embedded:io/digital`: one owner per
 * pin, every write recorded with its clock time (relays, buzzer, RS-485 DE).
 */
import { host, type PinState } from './host.js';

export default class Digital {
  static readonly Input = 'Input';
  static readonly InputPullUp = 'InputPullUp';
  static readonly InputPullDown = 'InputPullDown';
  static readonly InputPullUpDown = 'InputPullUpDown';
  static readonly Output = 'Output';
  static readonly OutputOpenDrain = 'OutputOpenDrain';
  static readonly Rising = 1;
  static readonly Falling = 2;

  readonly #pin: PinState;
  #closed = false;

  constructor(options: { pin: number; mode: unknown }) {
    host.touch();
    const pin = host.pin(options.pin);
    if (pin.inUse) throw new Error(`GPIO ${options.pin} is already in use`);
    pin.inUse = true;
    pin.mode = String(options.mode);
    this.#pin = pin;
  }

  write(value: 0 | 1): void {
    host.touch();
    if (this.#closed) throw new Error('digital closed');
    this.#pin.level = value;
    this.#pin.writes.push({ atMs: host.clock.now(), value });
  }

  read(): 0 | 1 {
    host.touch();
    return this.#pin.level;
  }

  close(): void {
    this.#closed = true;
    this.#pin.inUse = false;
  }
}
