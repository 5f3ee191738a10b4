/**
 * An Arduino running StandardFirmata, as the host sees it over USB serial:
 * the Firmata protocol's version and firmware reports, capability, analog
 * mapping and pin-state queries, pin modes, digital port writes, digital pin
 * values and digital reporting. Written from the protocol description
 * (firmata/protocol), not from firmata.js, so the two sides of the wire are
 * independent.
 *
 * Pins behave like an ATmega328's: each has an output latch that survives a
 * mode change, so a pin written high while still an input (StandardFirmata
 * turns that into the pull-up) drives high the moment it becomes an output,
 * and one set as an output without that drives low. `levels` records every
 * electrical change per pin with its time, which is what a relay board on the
 * pin would see.
 */
import { asciiBytes } from '../../drivers/bytes.js';
import type { ByteStream } from '../../drivers/ports/byte-stream.js';

export const FIRMATA = {
  DIGITAL_MESSAGE: 0x90,
  ANALOG_MESSAGE: 0xe0,
  REPORT_ANALOG: 0xc0,
  REPORT_DIGITAL: 0xd0,
  SET_PIN_MODE: 0xf4,
  SET_DIGITAL_PIN_VALUE: 0xf5,
  REPORT_VERSION: 0xf9,
  SYSTEM_RESET: 0xff,
  START_SYSEX: 0xf0,
  END_SYSEX: 0xf7,
  ANALOG_MAPPING_QUERY: 0x69,
  ANALOG_MAPPING_RESPONSE: 0x6a,
  CAPABILITY_QUERY: 0x6b,
  CAPABILITY_RESPONSE: 0x6c,
  PIN_STATE_QUERY: 0x6d,
  PIN_STATE_RESPONSE: 0x6e,
  REPORT_FIRMWARE: 0x79,
  SAMPLING_INTERVAL: 0x7a,
} as const;

export const PIN_MODE = { INPUT: 0, OUTPUT: 1, ANALOG: 2, PWM: 3, PULLUP: 0x0b } as const;

/** What the pin does electrically: floating input, input with pull-up, or driven low/high. */
export type PinLevel = 'Z' | 'pullup' | 0 | 1;

interface Pin {
  mode: number;
  latch: 0 | 1;
  /** The level an outside circuit applies to an input (a contact to ground reads 0). */
  external: 0 | 1;
}

export interface FirmataDeviceOptions {
  stream: ByteStream;
  /** Time for the level log, ms. */
  now: () => number;
  /** Digital pins 0-13 and analog pins A0-A5 as 14-19 (an Uno). Default 20. */
  pins?: number;
  firmwareName?: string;
}

export class FirmataDeviceSimulator {
  /** Every electrical change per pin, first entry the level at power-up. */
  readonly levels = new Map<number, Array<{ atMs: number; level: PinLevel }>>();
  /** Every message received, as hex, for tests. */
  readonly received: string[] = [];
  readonly #o: FirmataDeviceOptions;
  readonly #pins: Pin[];
  readonly #reporting = new Set<number>();
  #message: number[] = [];
  #inSysex = false;

  constructor(options: FirmataDeviceOptions) {
    this.#o = options;
    this.#pins = Array.from({ length: options.pins ?? 20 }, () => ({ mode: PIN_MODE.INPUT, latch: 0 as const, external: 1 as const }));
    this.#pins.forEach((_, pin) => this.levels.set(pin, [{ atMs: options.now(), level: 'Z' }]));
    options.stream.onReadable = (bytes) => this.#onBytes(bytes);
  }

  /** What a board does after the USB adapter's DTR reset: announce its protocol version and firmware. */
  boot(): void {
    this.#send([FIRMATA.REPORT_VERSION, 2, 5]);
    this.#sendFirmware();
  }

  /** The electrical level of a pin now. */
  level(pin: number): PinLevel {
    const history = this.levels.get(pin) ?? [];
    return history[history.length - 1]?.level ?? 'Z';
  }

  modeOf(pin: number): number {
    return this.#pins[pin].mode;
  }

  /** An outside circuit pulls an input (a dry contact closing to ground: 0). Reported when the port reports. */
  setExternal(pin: number, value: 0 | 1): void {
    this.#pins[pin].external = value;
    const port = pin >> 3;
    if (this.#reporting.has(port)) this.#reportPort(port);
  }

  #onBytes(bytes: Uint8Array): void {
    for (const byte of bytes) {
      if (this.#inSysex) {
        if (byte === FIRMATA.END_SYSEX) {
          this.#inSysex = false;
          this.#sysex(this.#message);
          this.#message = [];
        } else this.#message.push(byte);
        continue;
      }
      if (byte === FIRMATA.START_SYSEX) {
        this.#inSysex = true;
        this.#message = [];
        continue;
      }
      if (byte & 0x80) this.#message = [byte];
      else if (this.#message.length > 0) this.#message.push(byte);
      else continue; // a data byte without a command: noise
      const command = this.#message[0];
      if (this.#message.length === expectedLength(command)) {
        const message = this.#message;
        this.#message = [];
        this.#midi(message);
      }
    }
  }

  #midi(message: number[]): void {
    this.received.push(hex(message));
    const [command, a = 0, b = 0] = message;
    const high = command & 0xf0;
    if (command === FIRMATA.REPORT_VERSION) this.#send([FIRMATA.REPORT_VERSION, 2, 5]);
    else if (command === FIRMATA.SYSTEM_RESET) this.#reset();
    else if (command === FIRMATA.SET_PIN_MODE) this.#setMode(a, b);
    else if (command === FIRMATA.SET_DIGITAL_PIN_VALUE) this.#writePin(a, (b & 1) as 0 | 1, false);
    else if (high === FIRMATA.DIGITAL_MESSAGE) {
      const port = command & 0x0f;
      const value = a | (b << 7);
      for (let bit = 0; bit < 8; bit++) {
        const pin = port * 8 + bit;
        if (pin < this.#pins.length) this.#writePin(pin, ((value >> bit) & 1) as 0 | 1, true);
      }
    } else if (high === FIRMATA.REPORT_DIGITAL) {
      const port = command & 0x0f;
      if (a === 1) {
        this.#reporting.add(port);
        this.#reportPort(port);
      } else this.#reporting.delete(port);
    }
    // REPORT_ANALOG, ANALOG_MESSAGE: no analog inputs are simulated.
  }

  #sysex(body: number[]): void {
    this.received.push(hex([FIRMATA.START_SYSEX, ...body, FIRMATA.END_SYSEX]));
    const [command, ...data] = body;
    if (command === FIRMATA.REPORT_FIRMWARE) this.#sendFirmware();
    else if (command === FIRMATA.CAPABILITY_QUERY) {
      const out: number[] = [FIRMATA.START_SYSEX, FIRMATA.CAPABILITY_RESPONSE];
      this.#pins.forEach((_, pin) => {
        // Digital in/out and pull-up everywhere but the UART pins 0-1; analog input on A0-A5; PWM on 3, 5, 6, 9, 10, 11.
        if (pin > 1) out.push(PIN_MODE.INPUT, 1, PIN_MODE.OUTPUT, 1, PIN_MODE.PULLUP, 1);
        if (pin >= 14) out.push(PIN_MODE.ANALOG, 10);
        if ([3, 5, 6, 9, 10, 11].includes(pin)) out.push(PIN_MODE.PWM, 8);
        out.push(0x7f);
      });
      out.push(FIRMATA.END_SYSEX);
      this.#send(out);
    } else if (command === FIRMATA.ANALOG_MAPPING_QUERY) {
      this.#send([FIRMATA.START_SYSEX, FIRMATA.ANALOG_MAPPING_RESPONSE, ...this.#pins.map((_, pin) => (pin >= 14 ? pin - 14 : 0x7f)), FIRMATA.END_SYSEX]);
    } else if (command === FIRMATA.PIN_STATE_QUERY) {
      const pin = data[0] ?? 0;
      if (pin >= this.#pins.length) return;
      const p = this.#pins[pin];
      this.#send([FIRMATA.START_SYSEX, FIRMATA.PIN_STATE_RESPONSE, pin, p.mode, p.latch, FIRMATA.END_SYSEX]);
    }
    // SAMPLING_INTERVAL and the rest: accepted silently.
  }

  #setMode(pin: number, mode: number): void {
    if (pin >= this.#pins.length) return;
    const p = this.#pins[pin];
    p.mode = mode;
    if (mode === PIN_MODE.PULLUP) p.latch = 1;
    // Arduino's pinMode(INPUT) clears the pull-up; OUTPUT keeps the latch.
    if (mode === PIN_MODE.INPUT) p.latch = 0;
    this.#update(pin);
    const port = pin >> 3;
    if (this.#reporting.has(port) && (mode === PIN_MODE.INPUT || mode === PIN_MODE.PULLUP)) this.#reportPort(port);
  }

  /** StandardFirmata: outputs take the value; an input written high gets its pull-up (the old Firmata convention). */
  #writePin(pin: number, value: 0 | 1, fromPort: boolean): void {
    const p = this.#pins[pin];
    if (p.mode === PIN_MODE.OUTPUT) p.latch = value;
    else if (p.mode === PIN_MODE.INPUT && fromPort && value === 1) {
      p.mode = PIN_MODE.PULLUP;
      p.latch = 1;
    } else return;
    this.#update(pin);
  }

  #update(pin: number): void {
    const p = this.#pins[pin];
    const level: PinLevel = p.mode === PIN_MODE.OUTPUT ? p.latch : p.latch === 1 ? 'pullup' : 'Z';
    if (level !== this.level(pin)) this.levels.get(pin)?.push({ atMs: this.#o.now(), level });
  }

  #reportPort(port: number): void {
    let value = 0;
    for (let bit = 0; bit < 8; bit++) {
      const p = this.#pins[port * 8 + bit];
      if (p === undefined) continue;
      const reads = p.mode === PIN_MODE.OUTPUT ? p.latch : p.external;
      value |= reads << bit;
    }
    this.#send([FIRMATA.DIGITAL_MESSAGE | port, value & 0x7f, (value >> 7) & 0x7f]);
  }

  #reset(): void {
    this.#reporting.clear();
    this.#pins.forEach((p, pin) => {
      p.mode = PIN_MODE.INPUT;
      p.latch = 0;
      this.#update(pin);
    });
  }

  #sendFirmware(): void {
    const name = this.#o.firmwareName ?? 'StandardFirmata.ino';
    const chars: number[] = [];
    for (const byte of asciiBytes(name)) chars.push(byte & 0x7f, byte >> 7);
    this.#send([FIRMATA.START_SYSEX, FIRMATA.REPORT_FIRMWARE, 2, 5, ...chars, FIRMATA.END_SYSEX]);
  }

  #send(bytes: number[]): void {
    this.#o.stream.write(Uint8Array.from(bytes));
  }
}

function expectedLength(command: number): number {
  const high = command & 0xf0;
  if (command === FIRMATA.REPORT_VERSION || command === FIRMATA.SYSTEM_RESET) return 1;
  if (high === FIRMATA.DIGITAL_MESSAGE || high === FIRMATA.ANALOG_MESSAGE || command === FIRMATA.SET_PIN_MODE || command === FIRMATA.SET_DIGITAL_PIN_VALUE) return 3;
  if (high === FIRMATA.REPORT_ANALOG || high === FIRMATA.REPORT_DIGITAL) return 2;
  return 1;
}

function hex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
