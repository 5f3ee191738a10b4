/**
 * Test double of Moddable's ECMA-419 `embedded:io/digital`: one owner per
 * pin, every level the pin drives recorded with its clock time (relays,
 * buzzer, RS-485 DE). As on the ESP32 (digitalbank.c), an output drives
 * `initialValue ^ activeLow` (default 0) as soon as it is created, and
 * `activeLow` inverts every write; levels here are the physical ones.
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
  readonly #activeLow: 0 | 1;
  #closed = false;

  constructor(options: { pin: number; mode: unknown; activeLow?: boolean; initialValue?: number; edge?: number; onReadable?: () => void }) {
    host.touch();
    const pin = host.pin(options.pin);
    if (pin.inUse) throw new Error(`GPIO ${options.pin} is already in use`);
    pin.inUse = true;
    pin.mode = String(options.mode);
    this.#pin = pin;
    this.#activeLow = options.activeLow === true ? 1 : 0;
    if (pin.mode === 'Output' || pin.mode === 'OutputOpenDrain') this.#drive(Number(options.initialValue ?? 0) ? 1 : 0);
    const onReadable = options.onReadable;
    if (onReadable !== undefined && ((options.edge ?? 0) & Digital.Rising) !== 0) pin.rising = () => onReadable.call(this);
  }

  write(value: 0 | 1): void {
    host.touch();
    if (this.#closed) throw new Error('digital closed');
    this.#drive(value);
  }

  read(): 0 | 1 {
    host.touch();
    return ((this.#pin.source?.() ?? this.#pin.level) ^ this.#activeLow) as 0 | 1;
  }

  #drive(value: 0 | 1): void {
    const level = (value ^ this.#activeLow) as 0 | 1;
    this.#pin.level = level;
    if (host.keepHistory) this.#pin.writes.push({ atMs: host.clock.now(), value: level });
    this.#pin.onDrive?.(level);
  }

  close(): void {
    this.#closed = true;
    this.#pin.inUse = false;
    this.#pin.rising = undefined;
  }
}
